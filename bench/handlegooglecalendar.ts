/**
 * `POST /api/connectors/:subaccountId/handlegooglecalendar` under load: each connection cycles
 * through the seeded subaccounts, each request a consent link stored and e-mailed.
 */
import type { Dataset } from './connector-data';
import {
  CpuUse,
  ServerTimes,
  System,
  describeCpu,
  describeLoad,
  describeServerTimes,
  log,
  measuredLoad,
  requireInfra,
  userToken,
  withServerTimes,
} from './harness';
import { LoadSummary, runLoad } from './load';
import { sleep } from './processes';
import { Figure, figure } from './report';
import { CONNECT_CONNECTIONS, CONNECT_DURATION_S, TARGETS } from './settings';
import { median } from './stats';

export function connectLoad(system: System, data: Dataset, durationS: number): Promise<LoadSummary> {
  // Each connection cycles through the subaccounts, each with its own user's token.
  return runLoad({
    url: system.databaseUrl,
    connections: CONNECT_CONNECTIONS,
    durationS,
    requests: data.connectSubaccounts.map((subaccountId, i) => ({
      method: 'POST',
      path: `/api/connectors/${subaccountId}/handlegooglecalendar`,
      headers: { authorization: `Bearer ${userToken([subaccountId])}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userEmail: `bench-owner-${i}@example.com` }),
    })),
  });
}

/** A round's handlegooglecalendar load and the e-mails it sent. */
export interface ConnectRound {
  connect: LoadSummary;
  connectMails: number;
  cpu: { connect: CpuUse };
  serverTimes: { connect: ServerTimes };
}

export async function runConnectRound(system: System, data: Dataset): Promise<ConnectRound> {
  const mailsBefore = (await requireInfra().stats()).mails;
  const [[connect, connectServerTimes], connectCpu] = await measuredLoad(system, () =>
    withServerTimes(system, () => connectLoad(system, data, CONNECT_DURATION_S)),
  );
  await sleep(500); // let the last e-mails land before counting
  const connectMails = (await requireInfra().stats()).mails - mailsBefore;
  log(`  ${describeLoad('handlegooglecalendar    ', connect)}, ${connectMails} e-mails received`);
  log(`    ${describeCpu(connectCpu)}`);
  log(`    ${describeServerTimes(connectServerTimes)}`);
  return {
    connect,
    connectMails,
    cpu: { connect: connectCpu },
    serverTimes: { connect: connectServerTimes },
  };
}

export function connectFigures(rounds: readonly ConnectRound[]): Figure[] {
  const all = <T>(pick: (r: ConnectRound) => T): T[] => rounds.map(pick);
  const connectErrors = all((r) => r.connect.non2xx + r.connect.errors);
  return [
    figure(
      {
        id: 'connect.p99',
        label: `\`POST /api/connectors/:sub/handlegooglecalendar\`, ${CONNECT_CONNECTIONS} conn, ${CONNECT_DURATION_S} s: p99 latency`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.connectP99Ms },
        note: `${Math.round(median(all((r) => r.connect.rps)))} req/s, p50 ${median(all((r) => r.connect.latencyMs.p50))} ms`,
      },
      all((r) => r.connect.latencyMs.p99),
    ),
    figure(
      {
        id: 'connect.errors',
        label: 'the same: errors (non-2xx + socket errors)',
        unit: '',
        digits: 0,
        target: { op: '<=', value: TARGETS.connectErrors },
      },
      connectErrors,
    ),
  ];
}
