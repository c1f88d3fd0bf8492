import { SerialWrites } from './serial-writes';

describe('SerialWrites', () => {
  it('runs writes one at a time, in order, and keeps going after a failure', async () => {
    const serial = new SerialWrites();
    const log: string[] = [];
    const write = (name: string, ms: number, fail = false) =>
      serial.run(async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([write('a', 30), write('b', 5, true), write('c', 1)]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
