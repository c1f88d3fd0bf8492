import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { MetricsRegistry } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { Counter, Gauge } from 'prom-client';
import { GoogleCalendarConnection } from '../connections/google-calendar-connection.schema';

/** webhook-api's own metrics: outbox depth, delivery attempts and failures, OAuth outcomes. */
@Injectable()
export class WebhookMetrics {
  readonly deliveryAttempts: Counter<'outcome'>;
  readonly oauthOutcomes: Counter<'outcome'>;

  constructor(registry: MetricsRegistry, @InjectModel(GoogleCalendarConnection.name) connections: Model<GoogleCalendarConnection>) {
    this.deliveryAttempts = new Counter({
      name: 'metadata_delivery_attempts_total',
      help: 'Metadata updates sent to database-api, by outcome (applied, connector_missing, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.oauthOutcomes = new Counter({
      name: 'oauth_callback_outcomes_total',
      help: 'OAuth callbacks by outcome (connected, or the failure reason)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    new Gauge({
      name: 'metadata_outbox_pending',
      help: 'Metadata updates waiting to be delivered to database-api',
      registers: [registry],
      async collect() {
        this.set(await connections.countDocuments({ 'sync.pending': true }).exec());
      },
    });
  }
}
