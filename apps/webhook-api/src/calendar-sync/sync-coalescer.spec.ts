import { SyncCoalescer } from './sync-coalescer';

describe('SyncCoalescer', () => {
  let runs: { key: string; requestedAt: number; startedAt: number }[];
  let release: (() => void)[];
  let coalescer: SyncCoalescer;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    runs = [];
    release = [];
    coalescer = new SyncCoalescer(
      (key, requestedAt) =>
        new Promise<void>((resolve) => {
          runs.push({ key, requestedAt: requestedAt.getTime(), startedAt: Date.now() });
          release.push(resolve);
        }),
      { debounceMs: 20, spacingMs: 1000 },
    );
  });
  afterEach(() => {
    coalescer.close();
    jest.useRealTimers();
  });

  const finishRuns = async () => {
    for (const done of release.splice(0)) done();
    await Promise.resolve();
    await Promise.resolve();
  };

  it('serves a burst within the debounce with one run, with the earliest request time', async () => {
    for (let i = 0; i < 5; i += 1) {
      coalescer.request('a');
      jest.advanceTimersByTime(3);
    }
    jest.advanceTimersByTime(20);
    await finishRuns();
    jest.advanceTimersByTime(5000);
    expect(runs).toEqual([{ key: 'a', requestedAt: 1_000_000, startedAt: 1_000_020 }]);
  });

  it('serves requests during and after a run with one more run, a spacing after the first', async () => {
    coalescer.request('a');
    jest.advanceTimersByTime(20);
    expect(runs).toHaveLength(1);
    for (let i = 0; i < 4; i += 1) {
      jest.advanceTimersByTime(200);
      coalescer.request('a');
      if (i === 1) await finishRuns();
    }
    jest.advanceTimersByTime(100);
    expect(runs).toHaveLength(1);
    jest.advanceTimersByTime(200);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toEqual({ key: 'a', requestedAt: 1_000_220, startedAt: 1_001_020 });
    await finishRuns();
    jest.advanceTimersByTime(5000);
    expect(runs).toHaveLength(2);
  });

  it('never leaves a request unserved, and keys do not wait for each other', async () => {
    coalescer.request('a');
    coalescer.request('b');
    jest.advanceTimersByTime(20);
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    await finishRuns();
    jest.advanceTimersByTime(2000);
    expect(coalescer.size).toBe(0);
    coalescer.request('a');
    jest.advanceTimersByTime(20);
    expect(runs.map((r) => r.key)).toEqual(['a', 'b', 'a']);
  });

  it('keeps going when a run fails', async () => {
    const failing = new SyncCoalescer(() => Promise.reject(new Error('boom')), { debounceMs: 10, spacingMs: 100 });
    failing.request('a');
    jest.advanceTimersByTime(10);
    await Promise.resolve();
    await Promise.resolve();
    failing.request('a');
    jest.advanceTimersByTime(100);
    expect(failing.size).toBe(1);
    failing.close();
  });
});
