import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter } from 'prom-client';

/** The connect flow's metrics. */
@Injectable()
export class ConnectMetrics {
  readonly callbackOutcomes: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.callbackOutcomes = new Counter({
      name: 'oauth_callback_outcomes_total',
      help: 'OAuth callbacks by outcome (connected, or the failure reason)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
