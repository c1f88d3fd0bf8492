interface Waiter<T> {
  predicate: (entry: T) => boolean;
  resolve: (entry: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * What a test server took (requests, messages), oldest first, with a wait for the first
 * entry (taken already or still to come) that matches.
 */
export class AwaitedLog<T> {
  /** The same array for the log's life. */
  readonly entries: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  /** `what` names the entries in the timeout message, e.g. "metadata update". */
  constructor(private readonly what: string) {}

  add(entry: T): void {
    this.entries.push(entry);
    for (const waiter of this.waiters) {
      if (!waiter.predicate(entry)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(entry);
    }
  }

  waitFor(predicate: (entry: T) => boolean, timeoutMs = 5000): Promise<T> {
    const existing = this.entries.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`No matching ${this.what} within ${timeoutMs} ms (${this.entries.length} taken)`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Fails every wait still open (the server is closing). */
  close(reason: string): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(reason));
    }
    this.waiters.clear();
  }
}
