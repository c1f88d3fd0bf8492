import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter, Histogram } from 'prom-client';

/** Google API requests by operation and outcome, and the background budget's waits. */
@Injectable()
export class GoogleApiMetrics {
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly backgroundBudgetWait: Histogram;

  constructor(registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'google_api_requests_total',
      help: 'Google API requests by operation and outcome (ok, unauthorized, rate_limited, not_found, unavailable, timeout, ...)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    this.backgroundBudgetWait = new Histogram({
      name: 'google_background_budget_wait_seconds',
      help: 'How long background Calendar API calls waited for GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE',
      buckets: [0, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    });
  }
}
