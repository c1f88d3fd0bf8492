import { withRequestContext } from '../observability/request-context';
import { BackgroundWork } from './background-work';
import { ConcurrencyLimit } from './concurrency-limit';
import { retryDelayMs } from './retry-backoff';

/** Due items read per free slot, of which a random choice is started (see `spread`). */
const DEFAULT_SPREAD = 4;
/** Failed looks for due work back off up to this. */
const MAX_FIND_BACKOFF_MS = 5 * 60_000;
/** With `quietWhenIdle`, looks that find nothing come at growing intervals, up to this many `intervalMs` apart. */
const MAX_IDLE_INTERVALS = 16;
/**
 * Looking for due work may take at most this share of a poll's time: after a look that took
 * d ms the next comes no sooner than d / LOOK_TIME_SHARE after it began, and what it read and
 * did not start stays a candidate that long. An indexed due list (MongoDB) is read in a few
 * ms, so this changes nothing there; one the database reads whole (FerretDB reads the whole
 * collection for any filter but `_id`) is read less often as it grows or the database is busy,
 * instead of every replica spending the database on looks every interval.
 */
const LOOK_TIME_SHARE = 0.1;

export interface DuePollerOptions<T> {
  /** Names the poll in logs and the request ids of its work. */
  name: string;
  intervalMs: number;
  /** Items worked on at once by this process (or a limit shared with other work). */
  slots: ConcurrencyLimit;
  /** How long one item's work may take: its Google calls are cut there (the request-deadline context). */
  itemDeadlineMs: number;
  /**
   * Due items, at most `limit`, most overdue first. Items whose work failed must not be due again at once.
   * `inHand`: the keys worked on here now (never started twice); a look may leave them out, and
   * `limit` counts them either way.
   */
  findDue: (now: Date, limit: number, inHand: readonly string[]) => Promise<readonly T[]>;
  keyOf: (item: T) => string;
  /**
   * One item's work. It claims the item itself (a claim per item, so two replicas never
   * work it at once), records its own failure and when to try again (backoff), and logs.
   */
  work: (item: T, now: Date) => Promise<unknown>;
  /**
   * `soon` for a key in hand works on it once more when the work in hand ends, in the slots,
   * instead of leaving the change to that work: for work that may already have read past it
   * (a drain that found nothing left just before a delivery was added).
   */
  againWhenAskedInHand?: boolean;
  /**
   * Several replicas poll one due list: each reads `spread` times its free slots and starts a
   * random choice of what it read, so replicas looking at the same moment mostly start
   * different items instead of racing for the same claims (default 4; 1: the most overdue
   * first, in order). The items read and not started stay due for the next look.
   */
  spread?: number;
  /** In [0, 1): picks the items started when `spread` > 1 (tests fix it). */
  random?: () => number;
  /**
   * For due lists whose new items are worked at once by `soon` and only become due later by a
   * backoff (outboxes, deliveries): looks that find nothing come at growing intervals (1, 2,
   * 4 … up to 16 `intervalMs`), and any item found or asked for by `soon` brings the poll back
   * to `intervalMs`. A retry is then found at most about as late as its backoff was long, and
   * an idle replica does not read the due list every interval (on FerretDB each look reads
   * the whole collection).
   */
  quietWhenIdle?: boolean;
  warn: (message: string) => void;
}

/**
 * The one skeleton of background polls (syncs, channel renewals, metadata updates, status
 * changes, token refreshes, reconnect e-mails, platform deliveries): every `intervalMs` it
 * looks for as many due items as it has free slots, never starts an item this process is
 * already working on, bounds each item by a deadline, and while due items fill every slot
 * looks again as soon as one ends (a backlog is worked off as fast as the slots allow, not
 * one batch a tick).
 * The items read and not started (with `spread`) are started as slots free up within the
 * same interval, without reading the list again, so a backlog costs about one look an
 * interval rather than one per item (an item another replica did meanwhile is no longer due
 * when its work re-reads it). Looking takes at most a tenth of the poll's time
 * (LOOK_TIME_SHARE): a slow look spaces out the next one.
 * A look that fails backs off (doubling, up to 5 minutes) instead of hammering a database
 * that is down. Stopping takes no new items and waits for those in hand (BackgroundWork).
 */
export class DuePoller<T> {
  private readonly inHand = new Set<string>();
  /** Keys asked for by `soon` while in hand (againWhenAskedInHand): the work to run once more. */
  private readonly askedAgain = new Map<string, () => Promise<unknown>>();
  private findFailures = 0;
  private pausedUntil = 0;
  /** Looks in a row that found nothing, and the time before which ticks do not look (quietWhenIdle). */
  private idleLooks = 0;
  private quietUntil = 0;
  /** Items read by the last look and not started yet, and when they were read. */
  private leftOver: { readAt: number; items: T[] } = { readAt: 0, items: [] };
  /** How long after a look began the next may begin, and what it read stays a candidate (LOOK_TIME_SHARE). */
  private lookSpacingMs = 0;
  /** The look put off by the spacing, so that a backlog does not wait for the next tick. */
  private spacedLook: NodeJS.Timeout | undefined;

  constructor(
    private readonly background: BackgroundWork,
    private readonly options: DuePollerOptions<T>,
  ) {}

  /** Polls on the interval until the background work stops. */
  start(): void {
    this.background.every(this.options.intervalMs, () => this.poll());
  }

  /** One look for due items; answers how many were started. */
  poll(now = new Date()): Promise<number> {
    return this.background.exclusive(this.options.name, 0, async () => {
      if (now.getTime() < Math.max(this.pausedUntil, this.quietUntil)) return 0;
      const room = this.options.slots.free;
      if (room === 0) return 0;
      let { readAt } = this.leftOver;
      const sinceRead = now.getTime() - readAt;
      let candidates =
        sinceRead < Math.max(this.options.intervalMs, this.lookSpacingMs)
          ? this.leftOver.items.filter((item) => !this.inHand.has(this.options.keyOf(item)))
          : [];
      // More due than started now: each item that ends looks again.
      let backlog = candidates.length > 0;
      if (candidates.length === 0) {
        if (sinceRead < this.lookSpacingMs) {
          this.lookWhenSpaced(this.lookSpacingMs - sinceRead);
          return 0;
        }
        const limit = this.lookLimit(room);
        const lookStarted = performance.now();
        const due = await this.findDue(now, limit);
        if (!due) return 0;
        this.lookSpacingMs = (performance.now() - lookStarted) / LOOK_TIME_SHARE;
        readAt = now.getTime();
        candidates = due.filter((item) => !this.inHand.has(this.options.keyOf(item)));
        backlog = due.length >= limit || candidates.length > room;
        this.noteLook(now, candidates.length > 0);
      }
      const chosen = this.choose(candidates, room);
      this.leftOver = { readAt, items: candidates.filter((item) => !chosen.includes(item)) };
      let started = 0;
      for (const item of chosen) {
        if (this.background.stopped) break;
        const key = this.options.keyOf(item);
        this.inHand.add(key);
        started += 1;
        this.background.track(
          this.runInSlots(key, () => this.options.work(item, now)).finally(() => {
            if (backlog && !this.background.stopped) this.background.track(this.poll());
          }),
        );
      }
      return started;
    });
  }

  /**
   * How many due items a look reads: `spread` times its slots, and as many times more as its
   * looks are spaced out beyond the interval (up to MAX_IDLE_INTERVALS), so that what one look
   * read keeps the slots busy until the next.
   */
  private lookLimit(room: number): number {
    const spacedIntervals = Math.min(Math.max(1, this.lookSpacingMs / this.options.intervalMs), MAX_IDLE_INTERVALS);
    return Math.ceil((room + this.inHand.size) * (this.options.spread ?? DEFAULT_SPREAD) * spacedIntervals);
  }

  private lookWhenSpaced(delayMs: number): void {
    if (this.spacedLook) return;
    this.spacedLook = setTimeout(() => {
      this.spacedLook = undefined;
      this.background.track(this.poll());
    }, delayMs);
    this.spacedLook.unref();
  }

  /** The due list, or undefined when it could not be read (then looks back off). */
  private async findDue(now: Date, limit: number): Promise<readonly T[] | undefined> {
    try {
      const due = await this.options.findDue(now, limit, [...this.inHand]);
      this.findFailures = 0;
      return due;
    } catch (error) {
      this.findFailures += 1;
      const pause = retryDelayMs(this.findFailures, { baseMs: this.options.intervalMs, maxMs: MAX_FIND_BACKOFF_MS });
      this.pausedUntil = Date.now() + pause;
      this.options.warn(
        `${this.options.name}: due work could not be looked for (again in ${pause} ms): ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  /** quietWhenIdle: after n empty looks in a row, the next comes 2^(n-1) intervals later (1, 2, 4 … at most 16). */
  private noteLook(now: Date, foundAny: boolean): void {
    if (!this.options.quietWhenIdle) return;
    this.idleLooks = foundAny ? 0 : this.idleLooks + 1;
    const intervals = Math.min(2 ** Math.max(0, this.idleLooks - 1), MAX_IDLE_INTERVALS);
    // Half an interval short, so that the tick at the end of the pause looks whatever the timer's jitter.
    this.quietUntil = intervals > 1 ? now.getTime() + (intervals - 0.5) * this.options.intervalMs : 0;
  }

  /** `count` of the candidates: the first ones, or with `spread` a random choice (a partial shuffle). */
  private choose(candidates: readonly T[], count: number): T[] {
    if ((this.options.spread ?? DEFAULT_SPREAD) <= 1) return candidates.slice(0, count);
    const random = this.options.random ?? Math.random;
    const pool = [...candidates];
    const picked = Math.min(count, pool.length);
    for (let i = 0; i < picked; i += 1) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
    }
    return pool.slice(0, picked);
  }

  /**
   * Works on `key` now, without making the caller wait (a change that is due at once, e.g.
   * a transition just written), in the same slots as the poll; not if this process is
   * working on it already (its work reads the latest state), unless againWhenAskedInHand:
   * then once more after that work.
   */
  soon(key: string, work: () => Promise<unknown>): void {
    if (this.background.stopped) return;
    // Activity here: what it leads to (a retry) is looked for at the normal interval.
    this.idleLooks = 0;
    this.quietUntil = 0;
    if (this.inHand.has(key)) {
      if (this.options.againWhenAskedInHand) this.askedAgain.set(key, work);
      return;
    }
    this.inHand.add(key);
    this.background.track(this.runInSlots(key, work));
  }

  /**
   * Runs the work on `key` in a slot, then once more if `soon` asked for it while that work
   * ran (queued behind those waiting for a slot); `key` stays in hand until the last run
   * ends. Stopping drops what was asked again.
   */
  private async runInSlots(key: string, work: () => Promise<unknown>): Promise<void> {
    let next: (() => Promise<unknown>) | undefined = work;
    try {
      while (next) {
        const current = next;
        await this.options.slots.run(() => {
          // Asked while waiting for its slot: the work that starts now sees that change.
          this.askedAgain.delete(key);
          return this.runKey(key, current);
        });
        next = this.background.stopped ? undefined : this.askedAgain.get(key);
        this.askedAgain.delete(key);
      }
    } finally {
      this.askedAgain.delete(key);
      this.inHand.delete(key);
    }
  }

  private async runKey(key: string, work: () => Promise<unknown>): Promise<void> {
    const context = { requestId: `${this.options.name}:${key}`, deadline: Date.now() + this.options.itemDeadlineMs };
    try {
      await withRequestContext(context, work);
    } catch (error) {
      this.options.warn(`${this.options.name}: ${key} failed: ${(error as Error).message}`);
    }
  }
}
