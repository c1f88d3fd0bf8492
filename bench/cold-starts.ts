/** The apps' cold starts: spawn → first 200 from /health, ROUNDS times each (not with BENCH_ONLY). */
import { System, log, waitForQuiet } from './harness';
import { processMemory } from './processes';
import { Figure, figure } from './report';
import { ROUNDS, TARGETS } from './settings';
import { round } from './stats';

/** Each app from nothing to its first 200 on /health, ROUNDS times (one app at a time); leaves both running. */
export interface ColdStarts {
  databaseApi: number[];
  webhookApi: number[];
  /** VmRSS right after the first 200, MB. */
  readyRssMb: { databaseApi: number[]; webhookApi: number[] };
}

export async function measureColdStarts(system: System): Promise<ColdStarts> {
  const result: ColdStarts = { databaseApi: [], webhookApi: [], readyRssMb: { databaseApi: [], webhookApi: [] } };
  for (let r = 1; r <= ROUNDS; r++) {
    await waitForQuiet(system);
    result.databaseApi.push(await system.databaseApi.start());
    result.readyRssMb.databaseApi.push(round(processMemory(system.databaseApi).rssMb, 1));
    result.webhookApi.push(await system.webhookApi.start());
    result.readyRssMb.webhookApi.push(round(processMemory(system.webhookApi).rssMb, 1));
    log(
      `cold start ${r}/${ROUNDS}: database-api ${Math.round(result.databaseApi.at(-1) ?? 0)} ms ` +
        `(RSS ${result.readyRssMb.databaseApi.at(-1)} MB when ready), webhook-api ${Math.round(result.webhookApi.at(-1) ?? 0)} ms ` +
        `(RSS ${result.readyRssMb.webhookApi.at(-1)} MB)`,
    );
    if (r < ROUNDS) {
      await system.webhookApi.stop();
      await system.databaseApi.stop();
    }
  }
  return result;
}

export function coldStartFigures(coldStarts: ColdStarts): Figure[] {
  return [
    figure(
      {
        id: 'coldStart.databaseApi',
        label: 'database-api cold start: spawn → first 200 from `/health`',
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.coldStartMs },
      },
      coldStarts.databaseApi,
    ),
    figure(
      {
        id: 'coldStart.webhookApi',
        label: 'webhook-api cold start: spawn → first 200 from `/health`',
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.coldStartMs },
      },
      coldStarts.webhookApi,
    ),
  ];
}
