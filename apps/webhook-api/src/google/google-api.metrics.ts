import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter } from 'prom-client';

/** Google API requests by operation and outcome (ok, or the kind of failure). */
@Injectable()
export class GoogleApiMetrics {
  readonly requests: Counter<'operation' | 'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'google_api_requests_total',
      help: 'Google API requests by operation and outcome (ok, unauthorized, rate_limited, not_found, unavailable, timeout, ...)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
  }
}
