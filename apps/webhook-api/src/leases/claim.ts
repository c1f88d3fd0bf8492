/** Thrown by claimed work that finds its claim lost: it must stop and write nothing more. */
export class ClaimLostError extends Error {
  constructor(readonly key: string) {
    super(`The claim on ${key} was lost (not renewed in time); the work stops without writing`);
  }
}

/**
 * One acquisition of a lease, handed to the work it guards. The lease is renewed while the
 * work runs (LeaseService); `held` says whether it is still certainly ours: the last
 * successful renewal secured it for one lease duration from when that renewal started, less
 * a margin for clocks that disagree between replicas. Work checks it (`assertHeld`) before
 * every write and every outbound call it must not make twice; `signal` aborts (at the next
 * renewal tick) once the claim is lost.
 */
export class Claim {
  private readonly lost = new AbortController();

  constructor(
    readonly key: string,
    /** The fencing token of this acquisition. */
    readonly token: string,
    private heldUntil: number,
    private readonly marginMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** How much longer it is certainly held (0 once lost). */
  remainingMs(now = Date.now()): number {
    if (this.lost.signal.aborted) return 0;
    return Math.max(0, this.heldUntil - this.marginMs - now);
  }

  get held(): boolean {
    return this.remainingMs() > 0;
  }

  /** Throws ClaimLostError unless the claim is still held. */
  assertHeld(): void {
    if (this.held) return;
    this.markLost();
    throw new ClaimLostError(this.key);
  }

  /** A renewal that started at `renewedAt` secured it for `durationMs` from then. */
  extend(renewedAt: number, durationMs: number): void {
    if (!this.lost.signal.aborted) this.heldUntil = Math.max(this.heldUntil, renewedAt + durationMs);
  }

  markLost(): void {
    if (!this.lost.signal.aborted) this.lost.abort(new ClaimLostError(this.key));
  }
}
