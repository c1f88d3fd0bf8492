/**
 * How the connect element waits for Google's callback to land: it cannot be told (the consent
 * page runs in another window, on another origin), so it asks database-api again and again,
 * less often the longer it waits, and gives up after a bound so a forgotten tab stops polling.
 */
export interface BackoffSchedule {
  /** The first pause, before the first check. */
  readonly initialDelayMs: number;
  /** Each pause is the previous one times this. */
  readonly factor: number;
  /** No pause is longer than this. */
  readonly maxDelayMs: number;
  /** After this long in all, polling stops without an answer. */
  readonly maxDurationMs: number;
}

/** Checks after 1 s, 1.5 s, 2.25 s, ... at most 10 s apart, for 5 minutes. */
export const CONSENT_POLL_SCHEDULE: BackoffSchedule = {
  initialDelayMs: 1000,
  factor: 1.5,
  maxDelayMs: 10000,
  maxDurationMs: 5 * 60 * 1000,
};

/** The pauses of a schedule, in order; their sum never exceeds maxDurationMs. */
export function backoffDelays(schedule: BackoffSchedule): number[] {
  const delays: number[] = [];
  let total = 0;
  let next = schedule.initialDelayMs;
  while (total + next <= schedule.maxDurationMs) {
    delays.push(next);
    total += next;
    next = Math.min(schedule.maxDelayMs, next * schedule.factor);
  }
  return delays;
}

/** `done`: the check answered what was awaited; `timed_out`: the schedule ran out; `stopped`: stop() was called. */
export type PollOutcome<T> =
  | { readonly outcome: 'done'; readonly value: T }
  | { readonly outcome: 'timed_out' }
  | { readonly outcome: 'stopped' };

/**
 * Polls one check on a backoff schedule. A failing check (e.g. offline for a moment) does not
 * end the wait: the next one may succeed. `wake()` checks at once (the person came back from
 * the consent window), `stop()` ends it (the element left the DOM).
 */
export class BackoffPoller {
  private stopped = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(private readonly schedule: BackoffSchedule = CONSENT_POLL_SCHEDULE) {}

  async run<T>(check: () => Promise<T>, isDone: (value: T) => boolean): Promise<PollOutcome<T>> {
    for (const delay of backoffDelays(this.schedule)) {
      await this.sleep(delay);
      if (this.stopped) return { outcome: 'stopped' };
      let value: T;
      try {
        value = await check();
      } catch {
        continue;
      }
      if (this.stopped) return { outcome: 'stopped' };
      if (isDone(value)) return { outcome: 'done', value };
    }
    return { outcome: 'timed_out' };
  }

  /** Cuts the current pause short, so the next check runs now (the schedule goes on from there). */
  wake(): void {
    this.wakeSleeper?.();
  }

  stop(): void {
    this.stopped = true;
    this.wakeSleeper?.();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wakeSleeper = undefined;
    });
  }
}
