/**
 * The connector list, `GET /api/connectors/:subaccountId`, on database-api and on the bare
 * reference (reference-server.ts: node:http + the plain driver, the same answer): at full load
 * (throughput ratio, p99, CPU per request) and at a fixed offered load (p50 without queueing).
 */
import {
  CpuUse,
  ServerTimes,
  System,
  callJson,
  cpuMsPerRequest,
  describeCpu,
  describeLoad,
  describeServerTimes,
  log,
  measuredLoad,
  userToken,
  withServerTimes,
} from './harness';
import { newSubaccountId } from '@connector-service/testing';
import type { Dataset } from './connector-data';
import { LoadSummary, runLoad } from './load';
import { Figure, figure } from './report';
import {
  LIST_CONNECTIONS,
  LIST_DURATION_S,
  LIST_FIXED_RATE_DURATION_S,
  LIST_FIXED_RATE_SHARE,
  LIST_SEEDED_CONNECTORS,
  TARGETS,
} from './settings';
import { median, round } from './stats';

/** The reference must answer exactly what database-api answers, or the comparison means nothing. */
export async function checkReferenceAgrees(system: System, data: Dataset): Promise<void> {
  const path = `/api/connectors/${data.listSubaccount}`;
  const [app, reference] = await Promise.all([
    callJson('GET', `${system.databaseUrl}${path}`, data.listToken),
    callJson('GET', `${system.referenceUrl}${path}`, data.listToken),
  ]);
  if (app.status !== 200 || reference.status !== 200) {
    throw new Error(`GET ${path}: database-api answered ${app.status}, the reference ${reference.status}`);
  }
  if (JSON.stringify(app.body) !== JSON.stringify(reference.body)) {
    throw new Error(
      `the reference answers differently from database-api:\napp:       ${JSON.stringify(app.body)}\nreference: ${JSON.stringify(reference.body)}`,
    );
  }
  if (!Array.isArray(app.body.data) || app.body.data.length !== LIST_SEEDED_CONNECTORS) {
    throw new Error(
      `GET ${path} lists ${String(app.body.data?.length)} connectors, expected ${LIST_SEEDED_CONNECTORS}`,
    );
  }
  const forbidden = await callJson('GET', `${system.referenceUrl}${path}`, userToken([newSubaccountId()]));
  if (forbidden.status !== 403)
    throw new Error(`the reference answered ${forbidden.status} to another tenant, expected 403`);
  log(
    `reference agrees with database-api on GET ${path} (${LIST_SEEDED_CONNECTORS} connectors, ${JSON.stringify(app.body).length} bytes)`,
  );
}

export function listLoad(
  baseUrl: string,
  data: Dataset,
  durationS: number,
  overallRate?: number,
): Promise<LoadSummary> {
  return runLoad({
    url: baseUrl,
    connections: LIST_CONNECTIONS,
    durationS,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'GET',
        path: `/api/connectors/${data.listSubaccount}`,
        headers: { authorization: `Bearer ${data.listToken}` },
      },
    ],
  });
}

/** A round's list figures: the bare reference and database-api at full load, then both at a fixed rate. */
export interface ListRound {
  listReference: LoadSummary;
  listApp: LoadSummary;
  listRatio: number;
  /** Both at the same fixed rate (LIST_FIXED_RATE_SHARE of this round's bare maximum). */
  listFixedRate: { rate: number; reference: LoadSummary; app: LoadSummary };
  /** CPU ms per list request at full load, from /proc. */
  listCpuPerRequestMs: { app: number; reference: number };
  cpu: { listReference: CpuUse; listApp: CpuUse };
  serverTimes: { listApp: ServerTimes };
}

export async function runListRound(roundNo: number, system: System, data: Dataset): Promise<ListRound> {
  // Alternate which server goes first, so neither always gets the warmer machine.
  const reference = (): Promise<[LoadSummary, CpuUse]> =>
    measuredLoad(system, () => listLoad(system.referenceUrl, data, LIST_DURATION_S));
  let listServerTimes: ServerTimes = {};
  const app = (): Promise<[LoadSummary, CpuUse]> =>
    measuredLoad(system, async () => {
      const [summary, times] = await withServerTimes(system, () => listLoad(system.databaseUrl, data, LIST_DURATION_S));
      listServerTimes = times;
      return summary;
    });
  let listReference: [LoadSummary, CpuUse];
  let listApp: [LoadSummary, CpuUse];
  if (roundNo % 2 === 1) {
    listReference = await reference();
    listApp = await app();
  } else {
    listApp = await app();
    listReference = await reference();
  }
  log(`  ${describeLoad('GET list, bare reference', listReference[0])}`);
  log(`    ${describeCpu(listReference[1])}`);
  log(`  ${describeLoad('GET list, database-api  ', listApp[0])}`);
  log(`    ${describeCpu(listApp[1])}`);
  log(`    ${describeServerTimes(listServerTimes)}`);
  const listCpuPerRequestMs = {
    app: cpuMsPerRequest(listApp, 'database-api'),
    reference: cpuMsPerRequest(listReference, 'reference'),
  };
  log(
    `    CPU per request: database-api ${listCpuPerRequestMs.app.toFixed(3)} ms, bare ${listCpuPerRequestMs.reference.toFixed(3)} ms`,
  );

  // The same list at a fixed offered load both can carry: latency without queueing.
  const rate = Math.max(1, Math.round(listReference[0].rps * LIST_FIXED_RATE_SHARE));
  const fixed = (url: string) => measuredLoad(system, () => listLoad(url, data, LIST_FIXED_RATE_DURATION_S, rate));
  let fixedReference: LoadSummary;
  let fixedApp: LoadSummary;
  if (roundNo % 2 === 1) {
    [fixedReference] = await fixed(system.referenceUrl);
    [fixedApp] = await fixed(system.databaseUrl);
  } else {
    [fixedApp] = await fixed(system.databaseUrl);
    [fixedReference] = await fixed(system.referenceUrl);
  }
  log(`  ${describeLoad(`GET list at ${rate} req/s, bare`, fixedReference)}`);
  log(`  ${describeLoad(`GET list at ${rate} req/s, app `, fixedApp)}`);

  return {
    listReference: listReference[0],
    listApp: listApp[0],
    listRatio: listApp[0].rps / listReference[0].rps,
    listFixedRate: { rate, reference: fixedReference, app: fixedApp },
    listCpuPerRequestMs,
    cpu: { listReference: listReference[1], listApp: listApp[1] },
    serverTimes: { listApp: listServerTimes },
  };
}

export function listFigures(rounds: readonly ListRound[]): Figure[] {
  const all = <T>(pick: (r: ListRound) => T): T[] => rounds.map(pick);
  const ratio = all((r) => r.listRatio);
  const appRps = median(all((r) => r.listApp.rps));
  const refRps = median(all((r) => r.listReference.rps));
  return [
    figure(
      {
        id: 'list.throughputRatio',
        label: `\`GET /api/connectors/:subaccountId\` (${LIST_SEEDED_CONNECTORS} connectors), ${LIST_CONNECTIONS} conn, ${LIST_DURATION_S} s: throughput ÷ bare reference`,
        unit: '',
        digits: 2,
        target: { op: '>=', value: TARGETS.listThroughputRatio },
        note: `database-api ${Math.round(appRps)} req/s, bare ${Math.round(refRps)} req/s`,
      },
      ratio,
    ),
    figure(
      {
        id: 'list.p99',
        label: 'the same: p99 latency',
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.listP99Ms },
        note: `bare reference ${median(all((r) => r.listReference.latencyMs.p99))} ms`,
      },
      all((r) => r.listApp.latencyMs.p99),
    ),
    figure(
      {
        id: 'list.fixedRateP50',
        label: `the same at a fixed ${LIST_FIXED_RATE_SHARE * 100} % of the bare reference's maximum: p50 over the bare reference's p50`,
        unit: 'ms',
        digits: 1,
        target: { op: '<=', value: TARGETS.listFixedRateP50OverBareMs },
        note:
          `database-api p50 ${median(all((r) => r.listFixedRate.app.latencyMs.p50))} ms, ` +
          `bare ${median(all((r) => r.listFixedRate.reference.latencyMs.p50))} ms at ${Math.round(median(all((r) => r.listFixedRate.rate)))} req/s`,
      },
      all((r) => r.listFixedRate.app.latencyMs.p50 - r.listFixedRate.reference.latencyMs.p50),
    ),
    figure(
      {
        id: 'list.cpuPerRequest',
        label: 'database-api CPU per list request (at full load, from /proc)',
        unit: 'ms',
        digits: 2,
        target: { op: '<=', value: TARGETS.listCpuPerRequestMs },
        note: `bare reference ${round(median(all((r) => r.listCpuPerRequestMs.reference)), 2)} ms`,
      },
      all((r) => r.listCpuPerRequestMs.app),
    ),
  ];
}
