import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { DeliveryStatus } from '@connector-service/contracts';
import { Counter, Histogram } from 'prom-client';
import { DeliveryRepository } from './delivery.repository';

/** Platform webhook deliveries: latency to a 2xx, queue depth, attempts by outcome, give-ups. */
@Injectable()
export class DeliveriesMetrics {
  readonly latency: Histogram;
  readonly attempts: Counter<'outcome'>;
  readonly failures: Counter<'type'>;

  constructor(registry: MetricsRegistry, deliveries: DeliveryRepository) {
    this.latency = new Histogram({
      name: 'platform_webhook_delivery_latency_seconds',
      help: "Time from the change's notice (Google's push, else the enqueue) to the platform's 2xx, per delivery",
      // Fine up to a second, so p50 ≤ 150 ms and p99 ≤ 500 ms (the bench's targets) can be told apart.
      buckets: [
        0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400,
      ],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'platform_webhook_delivery_attempts_total',
      help: 'Delivery attempts to the platform, by outcome (delivered, rejected: non-2xx, no_answer)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'platform_webhook_delivery_failures_total',
      help: 'Deliveries given up after the retry window (status failed), by type',
      labelNames: ['type'],
      registers: [registry],
    });
    registry.countGauge('platform_webhook_queue_depth', 'Deliveries waiting to reach the platform (pending)', () =>
      deliveries.count(DeliveryStatus.Pending),
    );
  }
}
