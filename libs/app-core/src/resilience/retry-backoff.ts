export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

/**
 * Delay before the next attempt: exponential from `baseMs` (default 1 s: 1 s, 2 s, 4 s ...)
 * capped at `maxMs` (default 5 minutes), with jitter in [50%, 100%] so replicas and many
 * items do not retry in lockstep.
 */
export function retryDelayMs(attempts: number, options: BackoffOptions = {}): number {
  const { baseMs = 1000, maxMs = 5 * 60 * 1000, random = Math.random } = options;
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
