import { BackgroundWork } from './background-work';

describe('BackgroundWork', () => {
  it('stop waits for the work in hand, also work started meanwhile, and swallows failures', async () => {
    const work = new BackgroundWork();
    const done: string[] = [];
    work.track(Promise.reject(new Error('logged by the work itself')));
    work.track(
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        done.push('first');
        work.track(new Promise((resolve) => setTimeout(resolve, 20)).then(() => void done.push('second')));
      })(),
    );
    await work.stop();
    expect(work.stopped).toBe(true);
    expect(done).toEqual(['first', 'second']);
  });

  it('runs its task on the interval until stopped', async () => {
    const work = new BackgroundWork();
    let runs = 0;
    work.every(5, async () => void (runs += 1));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await work.stop();
    const atStop = runs;
    expect(atStop).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(atStop);
  });

  it('skips a pass while the same pass runs, and every pass once stopping', async () => {
    const work = new BackgroundWork();
    let release: () => void = () => undefined;
    const slow = work.exclusive('poll', 0, () => new Promise<number>((resolve) => (release = () => resolve(3))));
    expect(await work.exclusive('poll', 0, async () => 5)).toBe(0);
    expect(await work.exclusive('other', 0, async () => 7)).toBe(7);
    release();
    expect(await slow).toBe(3);
    expect(await work.exclusive('poll', 0, async () => 5)).toBe(5);
    await work.stop();
    expect(await work.exclusive('poll', 0, async () => 5)).toBe(0);
  });
});
