/**
 * The background work of a worker (an outbox, a delivery queue): a poll on an interval,
 * work started without making the caller wait, and a stop that takes no new work and
 * waits for what is in hand (graceful shutdown). Failures of tracked work are the work's
 * own business (it logs them); they never reach the caller or an unhandled rejection.
 */
export class BackgroundWork {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly running = new Set<string>();

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs `task` every `intervalMs` (the timer does not keep the process alive). */
  every(intervalMs: number, task: () => Promise<unknown>): void {
    this.timer = setInterval(() => this.track(task()), intervalMs);
    this.timer.unref();
  }

  /**
   * Runs `task` (one pass of a poll) unless the pass `name` is still running, e.g. a tick
   * while a caller's pass is slow, or the work is stopping: then answers `idle` at once.
   */
  async exclusive<T>(name: string, idle: T, task: () => Promise<T>): Promise<T> {
    if (this.stopping || this.running.has(name)) return idle;
    this.running.add(name);
    try {
      return await task();
    } finally {
      this.running.delete(name);
    }
  }

  /** Keeps `work` in hand until it settles. */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** Takes no new work and waits for the work in hand, also work it started meanwhile. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
