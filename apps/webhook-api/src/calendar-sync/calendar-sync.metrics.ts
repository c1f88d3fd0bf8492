import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter } from 'prom-client';

/** Calendar syncs by kind and outcome, the changes they found, and Google's 410s. */
@Injectable()
export class CalendarSyncMetrics {
  readonly syncs: Counter<'kind' | 'outcome'>;
  readonly changes: Counter;
  readonly fullResyncs: Counter;

  constructor(registry: MetricsRegistry) {
    this.syncs = new Counter({
      name: 'calendar_syncs_total',
      help: 'Calendar syncs by kind (baseline, incremental, full_resync) and outcome (ok, failed)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.changes = new Counter({
      name: 'calendar_sync_changes_total',
      help: 'Changed events handed to the delivery outbox by syncs',
      registers: [registry],
    });
    this.fullResyncs = new Counter({
      name: 'calendar_sync_410_total',
      help: 'Sync tokens Google no longer took (410): the calendar was listed afresh',
      registers: [registry],
    });
  }
}
