import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter, Histogram } from 'prom-client';

/** Calendar syncs by kind and outcome, the changes they found, Google's 410s, and how late due syncs start. */
@Injectable()
export class CalendarSyncMetrics {
  readonly syncs: Counter<'kind' | 'outcome'>;
  readonly changes: Counter;
  readonly fullResyncs: Counter;
  readonly lateness: Histogram;

  constructor(registry: MetricsRegistry) {
    this.syncs = new Counter({
      name: 'calendar_syncs_total',
      help: 'Calendar syncs by kind (baseline, incremental, full_resync) and outcome (ok, failed, superseded, claim_lost)',
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
    this.lateness = new Histogram({
      name: 'calendar_sync_lateness_seconds',
      help: 'How long after it was due a due sync started (grows when the Google budget or the claims fall behind)',
      buckets: [0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
      registers: [registry],
    });
  }
}
