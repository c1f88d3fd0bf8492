import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Histogram } from 'prom-client';

/** The calendar work's own metrics. */
@Injectable()
export class CalendarMetrics {
  /** Server-side slot computation alone (no Google), the figure the bench holds to 5 ms p99. */
  readonly slotComputeSeconds: Histogram;

  constructor(registry: MetricsRegistry) {
    this.slotComputeSeconds = new Histogram({
      name: 'availability_compute_seconds',
      help: 'Time to compute bookable slots from free/busy (without the Google calls)',
      // Fine around the 5 ms target, so the bench can tell its p99 from the buckets.
      buckets: [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    });
  }
}
