import { retryDelayMs } from './retry-backoff';

describe('retryDelayMs', () => {
  it('doubles per attempt within the jitter band', () => {
    expect(retryDelayMs(1, () => 1)).toBe(1000);
    expect(retryDelayMs(1, () => 0)).toBe(500);
    expect(retryDelayMs(3, () => 1)).toBe(4000);
    expect(retryDelayMs(3, () => 0)).toBe(2000);
  });

  it('is capped at five minutes', () => {
    expect(retryDelayMs(50, () => 1)).toBe(300000);
    expect(retryDelayMs(1000, () => 0)).toBe(150000);
  });
});
