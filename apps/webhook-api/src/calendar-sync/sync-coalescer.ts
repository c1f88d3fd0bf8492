/** How requests for one key are merged into runs. */
export interface CoalescingOptions {
  /** Requests within this long of the first are served by the same run. */
  debounceMs: number;
  /** At least this long between the starts of two runs of one key. */
  spacingMs: number;
}

interface KeyState {
  /** The next run's start. */
  timer?: NodeJS.Timeout;
  /** Dropping the idle key once its spacing is over. */
  forgetTimer?: NodeJS.Timeout;
  running: boolean;
  lastStartAt: number;
  /** The earliest request not yet served by a run that started after it. */
  pendingSince?: Date;
}

/**
 * Merges bursts of requests per key (several pushes for one calendar) into few runs: a run
 * starts `debounceMs` after the first request, every request that arrives before it starts
 * is served by it, and requests during or shortly after it are served together by one more
 * run, started no sooner than `spacingMs` after the previous one. So a burst within the
 * debounce gives one run, and a stream of requests at most one run per `spacingMs`; a
 * request is never left unserved. `run` gets the time of the earliest request it serves.
 */
export class SyncCoalescer {
  private readonly keys = new Map<string, KeyState>();
  private closed = false;

  constructor(
    private readonly run: (key: string, requestedAt: Date) => Promise<void>,
    private readonly options: CoalescingOptions,
    private readonly now: () => number = Date.now,
  ) {}

  request(key: string, requestedAt = new Date(this.now())): void {
    if (this.closed) return;
    let state = this.keys.get(key);
    if (!state) {
      state = { running: false, lastStartAt: Number.NEGATIVE_INFINITY };
      this.keys.set(key, state);
    }
    if (!state.pendingSince || requestedAt < state.pendingSince) state.pendingSince = requestedAt;
    if (!state.running) this.schedule(key, state);
  }

  /** Keys with a run waiting or running (for tests and metrics). */
  get size(): number {
    return this.keys.size;
  }

  /** No new runs; runs already started finish on their own. */
  close(): void {
    this.closed = true;
    for (const state of this.keys.values()) {
      clearTimeout(state.timer);
      clearTimeout(state.forgetTimer);
    }
    this.keys.clear();
  }

  private schedule(key: string, state: KeyState): void {
    clearTimeout(state.forgetTimer);
    if (state.timer) return;
    const delay = Math.max(this.options.debounceMs, state.lastStartAt + this.options.spacingMs - this.now());
    state.timer = setTimeout(() => void this.start(key, state), delay);
    state.timer.unref();
  }

  private async start(key: string, state: KeyState): Promise<void> {
    state.timer = undefined;
    const requestedAt = state.pendingSince;
    if (this.closed || !requestedAt) return;
    state.pendingSince = undefined;
    state.running = true;
    state.lastStartAt = this.now();
    try {
      await this.run(key, requestedAt);
    } catch {
      // The run reports its own failures.
    }
    state.running = false;
    if (this.closed) return;
    if (state.pendingSince) this.schedule(key, state);
    else this.forgetLater(key, state);
  }

  /** Keeps the key's last start until the spacing is over, then drops it (memory stays bounded). */
  private forgetLater(key: string, state: KeyState): void {
    const left = state.lastStartAt + this.options.spacingMs - this.now();
    state.forgetTimer = setTimeout(
      () => {
        if (!state.running && !state.pendingSince && !state.timer && this.keys.get(key) === state) {
          this.keys.delete(key);
        }
      },
      Math.max(0, left),
    );
    state.forgetTimer.unref();
  }
}
