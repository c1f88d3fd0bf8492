import { MetricsRegistry } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleApiMetrics } from './google-api.metrics';
import { BudgetClock, GoogleBackgroundBudget } from './google-background-budget';

/** A clock that only moves when slept on. */
function fakeClock(): BudgetClock & { at: number } {
  const clock = {
    at: 1_000_000,
    now: () => clock.at,
    sleep: (ms: number) => {
      clock.at += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

function budget(perMinute: number, clock: BudgetClock): GoogleBackgroundBudget {
  const config = { GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE: perMinute } as WebhookApiConfig;
  return new GoogleBackgroundBudget(config, new GoogleApiMetrics(new MetricsRegistry()), clock);
}

describe('GoogleBackgroundBudget', () => {
  it('lets the first call go at once and spaces the next ones 60 s / N apart', async () => {
    const clock = fakeClock();
    const limiter = budget(600, clock);
    const waits = [];
    for (let i = 0; i < 5; i += 1) waits.push(await limiter.take());
    expect(waits).toEqual([0, 100, 100, 100, 100]);
  });

  it('never lets more than N calls into any minute, however many ask at once', async () => {
    // Time stands still while they all ask: each call's start is when it asked plus its wait.
    const clock = { ...fakeClock(), sleep: () => Promise.resolve() };
    const limiter = budget(60, clock);
    const starts: number[] = [];
    const start = clock.at;
    await Promise.all(
      Array.from({ length: 150 }, async () => {
        const waited = await limiter.take();
        starts.push(start + waited);
      }),
    );
    starts.sort((a, b) => a - b);
    for (let i = 0; i + 60 < starts.length; i += 1) {
      expect((starts[i + 60] as number) - (starts[i] as number)).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('has the whole rate again after an idle spell, without a burst above it', async () => {
    const clock = fakeClock();
    const limiter = budget(600, clock);
    await limiter.take();
    clock.at += 10_000;
    expect(await limiter.take()).toBe(0);
    expect(await limiter.take()).toBe(100);
  });
});
