import { BackoffPoller, CONSENT_POLL_SCHEDULE, backoffDelays, type BackoffSchedule } from './backoff-poller';

const FAST: BackoffSchedule = { initialDelayMs: 10, factor: 2, maxDelayMs: 40, maxDurationMs: 200 };

describe('backoffDelays', () => {
  it('grows by the factor up to the cap, and sums to no more than the bound', () => {
    expect(backoffDelays(FAST)).toEqual([10, 20, 40, 40, 40, 40]);
  });

  it('keeps the consent wait to a few minutes, checking at most every 10 s', () => {
    const delays = backoffDelays(CONSENT_POLL_SCHEDULE);
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(delays[0]).toBe(1000);
    expect(Math.max(...delays)).toBe(10000);
    expect(total).toBeLessThanOrEqual(5 * 60 * 1000);
    expect(total).toBeGreaterThan(4 * 60 * 1000);
  });
});

describe('BackoffPoller', () => {
  it('answers the first value the check says is done, and checks no more', async () => {
    let checks = 0;
    const outcome = await new BackoffPoller(FAST).run(
      async () => ++checks,
      (value) => value === 3,
    );
    expect(outcome).toEqual({ outcome: 'done', value: 3 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(checks).toBe(3);
  });

  it('times out after the schedule, having checked once per pause', async () => {
    let checks = 0;
    const started = Date.now();
    const outcome = await new BackoffPoller(FAST).run(
      async () => ++checks,
      () => false,
    );
    expect(outcome).toEqual({ outcome: 'timed_out' });
    expect(checks).toBe(backoffDelays(FAST).length);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('goes on after a failing check (offline for a moment)', async () => {
    let checks = 0;
    const outcome = await new BackoffPoller(FAST).run(
      async () => {
        checks++;
        if (checks < 3) throw new TypeError('Failed to fetch');
        return 'connected';
      },
      (value) => value === 'connected',
    );
    expect(outcome).toEqual({ outcome: 'done', value: 'connected' });
    expect(checks).toBe(3);
  });

  it('stops at once when stopped, mid-pause, without another check', async () => {
    const poller = new BackoffPoller({ initialDelayMs: 60000, factor: 1, maxDelayMs: 60000, maxDurationMs: 600000 });
    let checks = 0;
    const running = poller.run(
      async () => ++checks,
      () => false,
    );
    setTimeout(() => poller.stop(), 20);
    await expect(running).resolves.toEqual({ outcome: 'stopped' });
    expect(checks).toBe(0);
    expect(poller.isStopped).toBe(true);
  });

  it('checks at once when woken, instead of waiting out the pause', async () => {
    const poller = new BackoffPoller({ initialDelayMs: 60000, factor: 1, maxDelayMs: 60000, maxDurationMs: 600000 });
    const started = Date.now();
    const running = poller.run(
      async () => 'connected',
      () => true,
    );
    setTimeout(() => poller.wake(), 20);
    await expect(running).resolves.toEqual({ outcome: 'done', value: 'connected' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
