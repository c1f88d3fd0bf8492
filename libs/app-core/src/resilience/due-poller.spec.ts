import { currentRequestId, remainingMs } from '../observability/request-context';
import { BackgroundWork } from './background-work';
import { ConcurrencyLimit } from './concurrency-limit';
import { DuePoller, DuePollerOptions } from './due-poller';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

interface Harness {
  poller: DuePoller<string>;
  background: BackgroundWork;
  finds: number[];
  started: string[];
  warnings: string[];
  release: (item: string) => void;
}

/**
 * Items due: `due` (worked items leave it when their work ends); each item's work waits to be
 * released; each look takes `lookMs`.
 */
function harness(due: string[], options: Partial<DuePollerOptions<string>> = {}, lookMs = 0): Harness {
  const background = new BackgroundWork();
  const finds: number[] = [];
  const started: string[] = [];
  const warnings: string[] = [];
  const releases = new Map<string, () => void>();
  const poller = new DuePoller<string>(background, {
    name: 'test-poll',
    intervalMs: 1000,
    slots: new ConcurrencyLimit(2),
    itemDeadlineMs: 60_000,
    findDue: async (_now, limit) => {
      finds.push(limit);
      if (lookMs > 0) await new Promise((resolve) => setTimeout(resolve, lookMs));
      return due.slice(0, limit);
    },
    keyOf: (item) => item,
    work: (item) => {
      started.push(item);
      return new Promise<void>((resolve) =>
        releases.set(item, () => {
          due.splice(due.indexOf(item), 1);
          resolve();
        }),
      );
    },
    warn: (message) => warnings.push(message),
    // In order (the most overdue first), unless a test spreads.
    spread: 1,
    ...options,
  });
  return { poller, background, finds, started, warnings, release: (item) => releases.get(item)?.() };
}

describe('DuePoller', () => {
  it('starts no more items than it has slots, and never one it is already working on', async () => {
    const h = harness(['a', 'b', 'c', 'd']);
    expect(await h.poller.poll()).toBe(2);
    expect(await h.poller.poll()).toBe(0);
    expect(h.started).toEqual(['a', 'b']);
    h.release('a');
    h.release('b');
    await h.background.stop();
  });

  it.each([false, true])(
    'works a backlog off without waiting for the next tick: each item that ends looks again (quietWhenIdle: %s)',
    async (quietWhenIdle) => {
      const h = harness(['a', 'b', 'c', 'd', 'e'], { quietWhenIdle });
      await h.poller.poll();
      for (const item of ['a', 'b', 'c', 'd', 'e']) {
        while (!h.started.includes(item)) await tick();
        h.release(item);
      }
      await h.background.stop();
      expect(h.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    },
  );

  it('with spread, replicas reading the same due list at once start mostly different items, and each still works it all off', async () => {
    /** A fixed sequence in [0, 1) per replica (no flakes). */
    const sequence = (seed: number) => () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const due = Array.from({ length: 16 }, (_, i) => `item-${i}`);
    const [a, b] = [1, 2].map((seed) => harness([...due], { spread: 4, random: sequence(seed) })) as [Harness, Harness];
    await Promise.all([a.poller.poll(), b.poller.poll()]);
    // Each read 4 × its 2 free slots and started 2 of them; without spread both would start item-0 and item-1.
    expect(a.finds).toEqual([8]);
    expect(a.started).toHaveLength(2);
    expect(b.started).toHaveLength(2);
    expect(new Set([...a.started, ...b.started]).size).toBeGreaterThan(2);
    expect([...a.started, ...b.started].every((item) => due.slice(0, 8).includes(item))).toBe(true);
    for (const replica of [a, b]) for (const item of replica.started) replica.release(item);
    await Promise.all([a.background.stop(), b.background.stop()]);

    // One replica alone still works the whole list off (backlog: it looks again as items end).
    const alone = harness([...due], { spread: 4, random: sequence(3) });
    await alone.poller.poll();
    for (let released = 0; released < due.length; released += 1) {
      while (alone.started.length <= released) await tick();
      alone.release(alone.started[released] as string);
    }
    await alone.background.stop();
    expect([...alone.started].sort()).toEqual([...due].sort());
  });

  it('starts the items a look read and did not start as slots free up, without reading the list again', async () => {
    const due = Array.from({ length: 8 }, (_, i) => `item-${i}`);
    const h = harness([...due], { spread: 4, random: () => 0 });
    await h.poller.poll();
    expect(h.finds).toEqual([8]);
    // Each item that ends starts one of the six read and left over: still one look.
    for (let released = 0; released < 6; released += 1) {
      while (h.started.length <= released) await tick();
      h.release(h.started[released] as string);
    }
    while (h.started.length < 8) await tick();
    expect(h.finds).toEqual([8]);
    expect([...h.started].sort()).toEqual(due);
    // Nothing left over: the next item that ends reads the list again.
    h.release('item-6');
    while (h.finds.length < 2) await tick();
    h.release('item-7');
    await h.background.stop();
  });

  it('reads the list again once what it left over is older than the interval', async () => {
    const h = harness(['a', 'b', 'c', 'd'], { spread: 4, random: () => 0, intervalMs: 50 });
    await h.poller.poll();
    await new Promise((resolve) => setTimeout(resolve, 60));
    h.release(h.started[0] as string);
    while (h.started.length < 3) await tick();
    expect(h.finds).toHaveLength(2);
    for (const item of h.started) h.release(item);
    await h.background.stop();
  });

  it('spends at most a tenth of its time looking: after a slow look the next waits ten times as long and reads more, and what it read stays a candidate that long', async () => {
    // Nothing due, each look 100 ms, an interval of 50 ms: the next look no sooner than ~1 s after.
    const idle = harness([], { intervalMs: 50 }, 100);
    const start = Date.now();
    await idle.poller.poll(new Date(start));
    await idle.poller.poll(new Date(start + 500));
    expect(idle.finds).toHaveLength(1);
    await idle.poller.poll(new Date(start + 1500));
    // And it reads more (here 16 × its 2 slots) so that what it read lasts until the next.
    expect(idle.finds).toEqual([2, 32]);
    await idle.background.stop();

    // A backlog: an item that ends starts one read by the slow look, though the interval has passed.
    const busy = harness(['a', 'b', 'c', 'd'], { intervalMs: 50, spread: 4, random: () => 0 }, 100);
    await busy.poller.poll();
    await new Promise((resolve) => setTimeout(resolve, 60));
    busy.release(busy.started[0] as string);
    while (busy.started.length < 3) await tick();
    expect(busy.finds).toHaveLength(1);
    for (const item of busy.started) busy.release(item);
    await busy.background.stop();
  });

  it('with quietWhenIdle, looks at growing intervals while it finds nothing, and at every one again once it finds or is asked for work', async () => {
    const due: string[] = [];
    const h = harness(due, { quietWhenIdle: true, intervalMs: 1000 });
    const start = Date.now();
    const lookAt = async (s: number) => {
      const before = h.finds.length;
      await h.poller.poll(new Date(start + s * 1000));
      return h.finds.length > before;
    };
    // Empty looks at 0, 1, 3, 7, 15, then every 16 intervals.
    const looked = [];
    for (let s = 0; s <= 47; s += 1) if (await lookAt(s)) looked.push(s);
    expect(looked).toEqual([0, 1, 3, 7, 15, 31, 47]);
    // An item found: the next look is one interval later.
    due.push('a');
    await lookAt(63);
    h.release('a');
    await tick();
    expect([await lookAt(64), await lookAt(65), await lookAt(66), await lookAt(67)]).toEqual([true, true, false, true]);
    expect(await lookAt(68)).toBe(false);
    // Work asked for by soon: back to every interval.
    h.poller.soon('x', () => Promise.resolve());
    expect(await lookAt(68)).toBe(true);
    await h.background.stop();
  });

  it('runs each item under its own request id and a deadline', async () => {
    const seen: { id?: string; left?: number }[] = [];
    const h = harness(['a'], {
      work: () => {
        seen.push({ id: currentRequestId(), left: remainingMs() });
        return Promise.resolve();
      },
    });
    await h.poller.poll();
    await h.background.stop();
    expect(seen[0]?.id).toBe('test-poll:a');
    expect(seen[0]?.left).toBeGreaterThan(59_000);
    expect(seen[0]?.left).toBeLessThanOrEqual(60_000);
  });

  it('logs a failed item and goes on with the others', async () => {
    const h = harness(['bad', 'good'], {
      work: (item) => (item === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve()),
    });
    expect(await h.poller.poll()).toBe(2);
    await h.background.stop();
    expect(h.warnings).toEqual(['test-poll: bad failed: boom']);
  });

  it('backs off after a failed look instead of looking again every tick', async () => {
    let calls = 0;
    const h = harness([], {
      findDue: () => {
        calls += 1;
        return Promise.reject(new Error('database down'));
      },
    });
    await h.poller.poll();
    await h.poller.poll();
    await h.poller.poll();
    expect(calls).toBe(1);
    expect(h.warnings[0]).toMatch(/could not be looked for \(again in \d+ ms\): database down/);
    // Once the pause is over it looks again.
    await h.poller.poll(new Date(Date.now() + 10 * 60_000));
    expect(calls).toBe(2);
    await h.background.stop();
  });

  it('works on a key soon in the same slots, not while it is in hand already', async () => {
    const h = harness(['a', 'b', 'c']);
    await h.poller.poll();
    const extra: string[] = [];
    h.poller.soon('a', () => Promise.resolve(void extra.push('a')));
    h.poller.soon('x', () => Promise.resolve(void extra.push('x')));
    await tick();
    // 'a' is in hand; 'x' waits for a slot.
    expect(extra).toEqual([]);
    h.release('a');
    h.release('b');
    while (!extra.includes('x')) await tick();
    expect(extra).toEqual(['x']);
    h.release('c');
    await h.background.stop();
  });

  it('tells the look which keys are in hand, and counts them in its limit', async () => {
    const looks: { limit: number; inHand: readonly string[] }[] = [];
    const due = ['a', 'b', 'c'];
    const h = harness(due, {
      findDue: (_now, limit, inHand) => {
        looks.push({ limit, inHand });
        return Promise.resolve(due.filter((item) => !inHand.includes(item)).slice(0, limit));
      },
    });
    await h.poller.poll();
    h.release('a');
    while (!h.started.includes('c')) await tick();
    expect(looks[0]).toEqual({ limit: 2, inHand: [] });
    // 'a' ended and 'b' is still worked on: one free slot, and 'b' left out by the look.
    expect(looks).toContainEqual({ limit: 2, inHand: ['b'] });
    h.release('b');
    h.release('c');
    await h.background.stop();
  });

  it('with againWhenAskedInHand, works on a key asked for while its work ran once more after it', async () => {
    const h = harness(['a'], { againWhenAskedInHand: true, slots: new ConcurrencyLimit(1) });
    await h.poller.poll();
    const runs: string[] = [];
    const again = (label: string) => () => Promise.resolve(void runs.push(label));
    // 'a' is being worked on: asked three times meanwhile, it runs once more, the latest work.
    h.poller.soon('a', again('a1'));
    h.poller.soon('a', again('a2'));
    // 'x' waits for the slot; asked again before it starts, it runs once.
    h.poller.soon('x', again('x1'));
    h.poller.soon('x', again('x2'));
    h.poller.soon('a', again('a3'));
    await tick();
    expect(runs).toEqual([]);
    h.release('a');
    while (runs.length < 2) await tick();
    await tick();
    // The run asked again queues behind 'x', which was waiting for the slot first.
    expect(runs).toEqual(['x1', 'a3']);
    // Once it has ended, 'a' is no longer in hand: asking for it runs it once.
    h.poller.soon('a', again('a4'));
    while (runs.length < 3) await tick();
    await h.background.stop();
    expect(runs).toEqual(['x1', 'a3', 'a4']);
  });

  it('with againWhenAskedInHand, drops what was asked again once stopping', async () => {
    const h = harness(['a'], { againWhenAskedInHand: true });
    await h.poller.poll();
    const runs: string[] = [];
    h.poller.soon('a', () => Promise.resolve(void runs.push('again')));
    const stopped = h.background.stop();
    h.release('a');
    await stopped;
    expect(runs).toEqual([]);
  });

  it('starts nothing once stopping', async () => {
    const h = harness(['a']);
    await h.background.stop();
    expect(await h.poller.poll()).toBe(0);
    expect(h.started).toEqual([]);
  });
});
