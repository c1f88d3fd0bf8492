/**
 * What FerretDB (the local database) costs per kind of lookup, and whether it does more when
 * more is asked of it at once: `npx tsx bench/ferretdb-probe.ts` (a fresh FerretDB, ~1 minute).
 * Figures of 2026-12-06 in bench/README.md ("Sync at scale").
 */
import { MongoClient } from 'mongodb';
import { startFerretDb } from '@connector-service/testing';

const DOCUMENTS = 2000;
const WINDOW_MS = 5000;

async function meanMs(label: string, times: number, query: () => Promise<unknown>): Promise<void> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i += 1) await query();
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / times;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const ferret = await startFerretDb();
  const client = await MongoClient.connect(ferret.uri);
  try {
    const states = client
      .db('probe')
      .collection<{ _id: string; nextSyncAt: Date; syncToken: string; n: number }>('states');
    const now = Date.now();
    await states.insertMany(
      Array.from({ length: DOCUMENTS }, (_, i) => ({
        _id: `s${i}`,
        nextSyncAt: new Date(now - i * 10),
        syncToken: `token-${'y'.repeat(300)}`,
        n: 0,
      })),
    );
    await states.createIndex({ nextSyncAt: 1 });
    console.log(`One at a time, ${DOCUMENTS} documents:`);
    await meanMs('find { _id }', 50, () => states.findOne({ _id: 's5' }));
    await meanMs('updateOne { _id }', 50, () => states.updateOne({ _id: 's5' }, { $inc: { n: 1 } }));
    await meanMs('updateOne { _id, syncToken } (a conditional update)', 20, () =>
      states.updateOne({ _id: 's5', syncToken: 'other' }, { $inc: { n: 1 } }),
    );
    await meanMs('find { nextSyncAt: { $lte } } sort limit 32 (a due list)', 20, () =>
      states
        .find({ nextSyncAt: { $lte: new Date() } })
        .sort({ nextSyncAt: 1 })
        .limit(32)
        .toArray(),
    );

    console.log(`A read and a write by _id, as many at once as asked, for ${WINDOW_MS / 1000} s:`);
    for (const [clients, inFlight] of [
      [1, 1],
      [1, 8],
      [1, 24],
      [3, 8],
    ] as const) {
      const connections = await Promise.all(
        Array.from({ length: clients }, () => MongoClient.connect(ferret.uri, { maxPoolSize: inFlight })),
      );
      let pairs = 0;
      const until = Date.now() + WINDOW_MS;
      const worker = async (connection: MongoClient): Promise<void> => {
        const collection = connection.db('probe').collection<{ _id: string; n: number }>('states');
        while (Date.now() < until) {
          const id = `s${Math.floor(Math.random() * DOCUMENTS)}`;
          await collection.findOne({ _id: id });
          await collection.updateOne({ _id: id }, { $inc: { n: 1 } });
          pairs += 1;
        }
      };
      await Promise.all(connections.flatMap((c) => Array.from({ length: inFlight }, () => worker(c))));
      console.log(
        `${clients} client(s) × ${inFlight} at once: ${Math.round(pairs / (WINDOW_MS / 1000))} pairs a second`,
      );
      await Promise.all(connections.map((c) => c.close()));
    }
  } finally {
    await client.close();
    await ferret.stop();
  }
}

void main();
