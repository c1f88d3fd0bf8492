import type { Connection } from 'mongoose';
import { DocumentWrites, isFerretDb } from './document-writes';

async function writesOn(buildInfo: Record<string, unknown>): Promise<DocumentWrites> {
  const connection = { db: { admin: () => ({ command: async () => buildInfo }) } } as unknown as Connection;
  const writes = new DocumentWrites(connection);
  await writes.onModuleInit();
  return writes;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('DocumentWrites', () => {
  it('recognizes FerretDB by its buildInfo', () => {
    expect(isFerretDb({ version: '7.0.42', ferretdbVersion: 'v1.24.2' })).toBe(true);
    expect(isFerretDb({ version: '7.0.14', gitVersion: 'abc' })).toBe(false);
  });

  it('on FerretDB runs writes to one document one after another, other documents at once', async () => {
    const writes = await writesOn({ ferretdbVersion: 'v1.24.2' });
    expect(writes.serializing).toBe(true);
    const order: string[] = [];
    const first = deferred();
    const a1 = writes.run('doc-a', async () => {
      order.push('a1 start');
      await first.promise;
      order.push('a1 end');
    });
    const a2 = writes.run('doc-a', async () => void order.push('a2'));
    await writes.run('doc-b', async () => void order.push('b1'));
    expect(order).toEqual(['a1 start', 'b1']);
    first.resolve();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('keeps going after a failed write', async () => {
    const writes = await writesOn({ ferretdbVersion: 'v1.24.2' });
    await expect(writes.run('doc', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(writes.run('doc', async () => 'ok')).resolves.toBe('ok');
  });

  it('on MongoDB runs every write at once', async () => {
    const writes = await writesOn({ version: '7.0.14' });
    expect(writes.serializing).toBe(false);
    const order: string[] = [];
    const first = deferred();
    const a1 = writes.run('doc-a', async () => {
      await first.promise;
      order.push('a1');
    });
    await writes.run('doc-a', async () => void order.push('a2'));
    expect(order).toEqual(['a2']);
    first.resolve();
    await a1;
  });
});
