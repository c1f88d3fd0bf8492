const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60 * 1000;

/**
 * Delay before the next attempt: exponential (1 s, 2 s, 4 s ... capped at 5 minutes) with
 * jitter in [50%, 100%] so replicas and many items do not retry in lockstep.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
