import { ConcurrencyLimit } from './concurrency-limit';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('never runs more than max at once, and runs every task in the order given', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let highWater = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit.run(async () => {
          started.push(i);
          running += 1;
          highWater = Math.max(highWater, running);
          await tick();
          running -= 1;
          return i * 2;
        }),
      ),
    );
    expect(highWater).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(limit.free).toBe(3);
  });

  it('frees the slot of a task that failed', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limit.free).toBe(1);
  });

  it('says how many slots are free', async () => {
    const limit = new ConcurrencyLimit(2);
    let release: () => void = () => undefined;
    const held = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    expect(limit.free).toBe(1);
    release();
    await held;
    expect(limit.free).toBe(2);
  });

  it('refuses a max below 1', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow();
  });
});
