/**
 * At most `max` tasks at once; the others wait their turn in order. Bounds what one request
 * or one replica's background work may have in flight (Google calls, syncs, drains).
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`ConcurrencyLimit: max must be an integer >= 1`);
  }

  /** Slots not taken now (0 while tasks wait). */
  get free(): number {
    return this.waiting.length > 0 ? 0 : this.max - this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line.
      if (next) next();
      else this.active -= 1;
    }
  }
}
