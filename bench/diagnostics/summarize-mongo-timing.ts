/**
 * Prints the MongoDB command timings a `BENCH_MONGO_TIMING=1 npm run bench` run left in
 * bench/results/mongo-timing/, phase by phase, the commands that took the most time first.
 *
 *   npx tsx bench/diagnostics/summarize-mongo-timing.ts [top=6]
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Row {
  command: string;
  count: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const dir = resolve(__dirname, '../results/mongo-timing');
const top = Number(process.argv[2] ?? 6);
if (!existsSync(join(dir, 'phases.json'))) {
  console.error(`${dir}/phases.json is missing: run BENCH_MONGO_TIMING=1 npm run bench first`);
  process.exit(1);
}
const phases = JSON.parse(readFileSync(join(dir, 'phases.json'), 'utf8')) as string[];

for (const app of ['database-api', 'webhook-api']) {
  const files = readdirSync(join(dir, app)).filter((f) => f.endsWith('.json'));
  // The process that served the load wrote one snapshot per phase (plus one at exit); older ones (cold starts) fewer.
  const byPid = new Map<string, string[]>();
  for (const file of files) {
    const pid = file.split('-')[0] ?? '';
    byPid.set(pid, [...(byPid.get(pid) ?? []), file]);
  }
  const [, served] = [...byPid.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  served.sort();
  console.log(`\n=== ${app} ===`);
  phases.forEach((phase, i) => {
    const file = served[i];
    if (!file) return;
    const rows = JSON.parse(readFileSync(join(dir, app, file), 'utf8')) as Row[];
    if (rows.length === 0) return;
    console.log(`-- ${phase}`);
    for (const r of rows.slice(0, top)) {
      console.log(
        `   ${r.command.padEnd(44)} n=${String(r.count).padStart(6)}  total ${String(r.totalMs).padStart(7)} ms  mean ${r.meanMs} ms  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms`,
      );
    }
  });
}
