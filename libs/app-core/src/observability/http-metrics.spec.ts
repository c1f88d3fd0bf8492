import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry } from './http-metrics';

/** The gauge's value as `/metrics` answers it. */
async function scrape(registry: MetricsRegistry): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith('queue_depth '));
  return Number(line?.split(' ')[1]);
}

describe('MetricsRegistry.countGauge', () => {
  const MAX_AGE_MS = 200;
  let reads: number;
  let answer: () => Promise<number>;
  let registry: MetricsRegistry;

  beforeEach(() => {
    reads = 0;
    answer = async () => 7;
    registry = new MetricsRegistry();
    registry.countGauge(
      'queue_depth',
      'Deliveries waiting',
      () => {
        reads += 1;
        return answer();
      },
      MAX_AGE_MS,
    );
  });

  it('reads the count once for any number of scrapes within the max age, concurrent ones included', async () => {
    expect(await Promise.all([scrape(registry), scrape(registry), scrape(registry)])).toEqual([7, 7, 7]);
    expect(await scrape(registry)).toBe(7);
    expect(reads).toBe(1);
  });

  it('answers the last count after the max age while reading the next, which the scrape after answers', async () => {
    await scrape(registry);
    answer = async () => {
      await sleep(50);
      return 9;
    };
    await sleep(MAX_AGE_MS + 20);
    expect(await scrape(registry)).toBe(7);
    expect(reads).toBe(2);
    await sleep(100);
    expect(await scrape(registry)).toBe(9);
    expect(reads).toBe(2);
  });

  it('keeps the last count when a read fails; fails the scrape only without one', async () => {
    answer = async () => {
      throw new Error('database down');
    };
    await expect(scrape(registry)).rejects.toThrow('queue_depth: the count could not be read');
    answer = async () => 3;
    expect(await scrape(registry)).toBe(3);
    answer = async () => {
      throw new Error('database down');
    };
    await sleep(MAX_AGE_MS + 20);
    expect(await scrape(registry)).toBe(3);
    await sleep(20);
    expect(await scrape(registry)).toBe(3);
  });
});
