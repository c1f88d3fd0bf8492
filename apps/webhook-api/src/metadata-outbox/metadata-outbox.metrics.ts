import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter } from 'prom-client';
import { MetadataOutboxRepository } from './metadata-outbox.repository';

/** The metadata outbox's metrics: its depth and delivery attempts by outcome. */
@Injectable()
export class MetadataOutboxMetrics {
  readonly deliveryAttempts: Counter<'outcome'>;

  constructor(registry: MetricsRegistry, outbox: MetadataOutboxRepository) {
    this.deliveryAttempts = new Counter({
      name: 'metadata_delivery_attempts_total',
      help: 'Metadata updates sent to database-api, by outcome (applied, ignored, connector_missing, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    registry.countGauge('metadata_outbox_pending', 'Metadata updates waiting to be delivered to database-api', () =>
      outbox.countPending(),
    );
  }
}
