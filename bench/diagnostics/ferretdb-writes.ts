/**
 * How many single-document writes FerretDB (SQLite backend) takes per second, with 1 and
 * with 20 writers at once (handlegooglecalendar writes one OAuth state per request).
 *
 *   npx tsx bench/diagnostics/ferretdb-writes.ts
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { databaseUri, startFerretDb } from '../../libs/testing/src/lib/ferretdb';
import { percentile } from '../stats';

const DURATION_MS = 3000;

async function writers(count: number, write: () => Promise<unknown>): Promise<string> {
  const deadline = performance.now() + DURATION_MS;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await write();
        times.push(performance.now() - started);
      }
    }),
  );
  const perSecond = Math.round(times.length / (DURATION_MS / 1000));
  return `${count} writer(s): ${perSecond} writes/s, p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const ferret = await startFerretDb();
  const client = await MongoClient.connect(databaseUri(ferret.uri, 'diagnostics'));
  try {
    const states = client.db().collection<{ _id: string }>('oauthstates');
    const insert = (): Promise<unknown> =>
      states.insertOne({
        _id: randomBytes(32).toString('hex'),
        subaccountId: randomBytes(12).toString('hex'),
        userEmail: 'someone@example.com',
        codeVerifier: randomBytes(60).toString('base64'),
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 900_000),
      } as { _id: string });
    for (const count of [1, 20]) console.log(`insertOne: ${await writers(count, insert)}`);
  } finally {
    await client.close();
    await ferret.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
