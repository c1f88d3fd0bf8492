/**
 * What the connector list costs in FerretDB (SQLite backend) by itself, without any HTTP:
 * `find({subaccountId}).sort({createdAt, connectorId})` on `connectorsubaccount` as the
 * collection grows, next to a lookup by `_id`, sequentially and with 50 at once, plus
 * FerretDB's explain (whether the filter was pushed down to SQLite).
 *
 *   npx tsx bench/diagnostics/ferretdb-query.ts
 */
import { randomBytes } from 'node:crypto';
import { Collection, Document, MongoClient } from 'mongodb';
import { databaseUri, startFerretDb } from '../../libs/testing/src/lib/ferretdb';
import { percentile } from '../stats';

const SIZES = [10, 100, 625, 2500];
const SEQUENTIAL = 200;
const CONCURRENT = 50;
const CONCURRENT_MS = 3000;

function newId(): string {
  return randomBytes(12).toString('hex');
}

function connector(subaccountId: string, connectorId: string, i: number): Document {
  const now = new Date(Date.now() + i);
  return {
    subaccountId,
    connectorId,
    name: `Connector ${i}`,
    config: { region: 'eu-west-1', syncIntervalMinutes: 15 + (i % 10), labels: ['bench', `n${i}`] },
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
}

async function sequential(work: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
}

async function concurrent(work: () => Promise<unknown>): Promise<{ perSecond: number; p99: number }> {
  const deadline = performance.now() + CONCURRENT_MS;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await work();
        times.push(performance.now() - started);
      }
    }),
  );
  return { perSecond: Math.round(times.length / (CONCURRENT_MS / 1000)), p99: round(percentile(times, 99)) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function measure(collection: Collection, size: number, listed: string, anyId: unknown): Promise<void> {
  const list = (): Promise<unknown> =>
    collection.find({ subaccountId: listed }).sort({ createdAt: 1, connectorId: 1 }).toArray();
  const one = (): Promise<unknown> => collection.findOne({ subaccountId: listed, connectorId: 'google-calendar' });
  const byId = (): Promise<unknown> => collection.findOne({ _id: anyId } as Document);
  const row = {
    docs: size,
    'list seq p50/p99 ms': Object.values(await sequential(list)).join(' / '),
    'findOne(sub,conn) seq p50/p99 ms': Object.values(await sequential(one)).join(' / '),
    'findOne(_id) seq p50/p99 ms': Object.values(await sequential(byId)).join(' / '),
    [`list ×${CONCURRENT} req/s`]: (await concurrent(list)).perSecond,
    [`findOne(_id) ×${CONCURRENT} req/s`]: (await concurrent(byId)).perSecond,
  };
  console.log(JSON.stringify(row));
}

async function main(): Promise<void> {
  const ferret = await startFerretDb();
  const client = await MongoClient.connect(databaseUri(ferret.uri, 'diagnostics'));
  try {
    const collection = client.db().collection('connectorsubaccount');
    await collection.createIndex({ subaccountId: 1, connectorId: 1 }, { unique: true });
    const listed = newId();
    await collection.insertMany(
      Array.from({ length: 10 }, (_, i) => connector(listed, i === 0 ? 'google-calendar' : `c-${i}`, i)),
    );
    const anyId = (await collection.findOne({ subaccountId: listed }))?.['_id'];
    let size = 10;
    for (const target of SIZES) {
      if (target > size) {
        await collection.insertMany(
          Array.from({ length: target - size }, (_, i) => connector(newId(), 'google-calendar', size + i)),
        );
        size = target;
      }
      await measure(collection, size, listed, anyId);
    }
    const explain = await collection.find({ subaccountId: listed }).sort({ createdAt: 1, connectorId: 1 }).explain();
    console.log('explain(list):', JSON.stringify(explain));
    const explainId = await collection.find({ _id: anyId } as Document).explain();
    console.log('explain(_id):', JSON.stringify(explainId));
  } finally {
    await client.close();
    await ferret.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
