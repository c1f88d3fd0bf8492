import { retryDelayMs } from './retry-backoff';

describe('retryDelayMs', () => {
  it('doubles per attempt within the jitter band', () => {
    expect(retryDelayMs(1, { random: () => 1 })).toBe(1000);
    expect(retryDelayMs(1, { random: () => 0 })).toBe(500);
    expect(retryDelayMs(3, { random: () => 1 })).toBe(4000);
    expect(retryDelayMs(3, { random: () => 0 })).toBe(2000);
  });

  it('is capped', () => {
    expect(retryDelayMs(50, { random: () => 1 })).toBe(300000);
    expect(retryDelayMs(1000, { random: () => 0 })).toBe(150000);
    expect(retryDelayMs(30, { baseMs: 60000, maxMs: 3600000, random: () => 1 })).toBe(3600000);
  });
});
