import { Inject, Injectable, Optional } from '@nestjs/common';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleApiMetrics } from './google-api.metrics';

export const BACKGROUND_BUDGET_CLOCK = Symbol('BackgroundBudgetClock');

export interface BudgetClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const REAL_CLOCK: BudgetClock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * This replica's budget of Calendar API calls for background work (syncs, opening and
 * renewing channels): GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE, spent one call every
 * 60 s / N, so no minute ever holds more than N (no bursts above the rate). Background calls
 * wait their turn here (one slot per call, retries included); the platform's requests never
 * come here, so they never wait behind background work. How long calls waited is a metric:
 * when it grows, syncs run late (calendar_sync_lateness_seconds says by how much).
 */
@Injectable()
export class GoogleBackgroundBudget {
  private readonly spacingMs: number;
  private nextSlotAt = 0;
  private readonly clock: BudgetClock;

  constructor(
    config: WebhookApiConfig,
    private readonly metrics: GoogleApiMetrics,
    @Optional() @Inject(BACKGROUND_BUDGET_CLOCK) clock: BudgetClock | null = null,
  ) {
    this.spacingMs = 60_000 / config.GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE;
    this.clock = clock ?? REAL_CLOCK;
  }

  /** Waits for this call's slot (at once when the budget has room); answers how long it waited. */
  async take(): Promise<number> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = slot + this.spacingMs;
    const waitMs = slot - now;
    this.metrics.backgroundBudgetWait.observe(waitMs / 1000);
    if (waitMs > 0) await this.clock.sleep(waitMs);
    return waitMs;
  }
}
