/**
 * `npm run bench`: builds both apps for production, starts the whole system on loopback
 * (FerretDB, database-api, webhook-api, the Google sandbox, an SMTP server) plus a bare
 * node:http reference for the connector list, loads it with autocannon and reports every
 * figure as the median of ROUNDS rounds against its target. Writes
 * bench/results/latest.json and the summary section of bench/README.md.
 *
 * Knobs (environment, all optional):
 *   BENCH_SKIP_BUILD=1   reuse dist/ as it is
 *   BENCH_APPS_DIR=dir   run <dir>/database-api/main.js and <dir>/webhook-api/main.js
 *                        instead of dist/apps (e.g. a scratch build with a candidate fix)
 *   BENCH_LABEL=name     write bench/results/<name>.json and leave the README alone
 *   BENCH_MONGODB_URI=uri use this MongoDB server instead of starting FerretDB (its databases
 *                        bench_database_api and bench_webhook_api are dropped first); README left alone
 *   BENCH_FERRETDB_PPROF_ADDR=host:port  FerretDB serves Go's profiles there (/debug/pprof/),
 *                        e.g. `go tool pprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=20`
 *   BENCH_NODE_FLAGS="…" extra `node` flags for both apps (V8 heap settings to try, or
 *                        `--cpu-prof --cpu-prof-dir=bench/results/profiles`); README left alone
 *   BENCH_ONLY=calendar  only the calendar figures (availability, a group's availability, event
 *                        creates, idempotent replays): no cold starts, list, connect or flow loads; writes
 *                        bench/results/calendar.json, README left alone
 *   BENCH_ONLY=notifications  only the change-notification figures (bench/notifications.ts):
 *                        push → platform delivery latency, the periodic sync's cost at 250
 *                        and 1,000 connections; writes bench/results/notifications.json,
 *                        README left alone. Not part of the full run (on FerretDB the 1,000
 *                        connections take ~20 minutes to connect).
 *   BENCH_ONLY=drain     only the notifications' drain after an outage (one connection, 1,000
 *                        deliveries); writes bench/results/drain.json, README left alone
 *   BENCH_ONLY=scale     only the sync-at-scale figures (bench/scale.ts): Google calls per idle
 *                        calendar-day with live channels (1, then 3 watched calendars per
 *                        connection), and BENCH_SCALE_CALENDARS (default
 *                        2,000) seeded connections polled by one and by three webhook-api
 *                        replicas; writes bench/results/scale.json, README left alone
 */
import { databaseUri } from '@connector-service/testing';
import {
  WEBHOOK_API_DB,
  System,
  build,
  calendarRoute,
  callJson,
  cleanUpOnEveryWayOut,
  cpuNow,
  createSystem,
  exitAfterCleanup,
  log,
  reportPart,
  startDatabase,
  startInfra,
  started,
  userToken,
  waitForQuiet,
  wasInterrupted,
} from './harness';
import { connectThroughFlow } from './flows';
import type { InfraProcess } from './infra-client';
import { MachineInfo, machineInfo } from './machine';
import { NotificationsRun, runNotifications } from './notifications';
import { runRounds } from './rounds';
import { ScaleRun, runScale } from './scale';
import { calendarOnly, drainOnly, notificationsOnly, only, scaleOnly } from './settings';

async function main(): Promise<void> {
  if (only !== '' && !calendarOnly && !notificationsOnly && !drainOnly && !scaleOnly) {
    throw new Error(`BENCH_ONLY=${only}: the choices are BENCH_ONLY=calendar, notifications, drain and scale`);
  }
  const machine = machineInfo();
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}`);
  const benchStarted = performance.now();
  build();

  const [mongoUri, infraProcess] = await Promise.all([startDatabase(), startInfra()]);
  log('Google sandbox and SMTP capture up');
  if (scaleOnly) {
    await scaleMain(machine, mongoUri, infraProcess, benchStarted);
    return;
  }
  if (notificationsOnly || drainOnly) {
    await notificationsMain(machine, mongoUri, infraProcess, benchStarted);
    return;
  }

  await runRounds(machine, mongoUri, infraProcess.ready, benchStarted);
}

/** BENCH_ONLY=notifications (or drain): bench/notifications.ts with the system it asks for. */
async function notificationsMain(
  machine: MachineInfo,
  mongoUri: string,
  infraProcess: InfraProcess,
  benchStarted: number,
): Promise<void> {
  const run: NotificationsRun = {
    log,
    infra: infraProcess,
    mongoUri,
    webhookMongoUri: databaseUri(mongoUri, WEBHOOK_API_DB),
    startSystem: async (setup) => started(await createSystem(mongoUri, infraProcess.ready, setup)),
    // Up to the callback's 200 only: the bench waits for webhook-api's baselines instead of
    // polling database-api for each connection's metadata.
    connect: (system, subaccountId, email) => connectThroughFlow(system as System, subaccountId, email),
    waitForQuiet: (system) => waitForQuiet(system as System),
    cpuNow: (system) => cpuNow(system as System),
  };
  const { figures, details } = await runNotifications(run, { drainOnly });
  reportPart(machine, figures, { notifications: details }, benchStarted);
}

/** BENCH_ONLY=scale: bench/scale.ts, whose apps talk to a Google sandbox of its own. */
async function scaleMain(
  machine: MachineInfo,
  mongoUri: string,
  infraProcess: InfraProcess,
  benchStarted: number,
): Promise<void> {
  const run: ScaleRun = {
    log,
    mongoUri,
    webhookMongoUri: databaseUri(mongoUri, WEBHOOK_API_DB),
    startSystem: async ({ google, mongoUri: webhookServer, env }) => {
      const ready = {
        ...infraProcess.ready,
        google: { endpoints: google.endpoints, clientId: google.clientId, clientSecret: google.clientSecret },
      };
      return started(await createSystem(mongoUri, ready, { mongoUri: webhookServer, env }));
    },
    connect: (system, subaccountId, email) => connectThroughFlow(system as System, subaccountId, email),
    setWatchedCalendars: async (system, subaccountId, googleCalendarIds) => {
      const url = `${system.databaseUrl}${calendarRoute(subaccountId, 'watched-calendars')}`;
      const answer = await callJson('PUT', url, userToken([subaccountId]), { googleCalendarIds });
      if (answer.status !== 200)
        throw new Error(`PUT ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body.data as { googleCalendarId: string; status: string }[];
    },
    otherPids: () => [infraProcess.pid],
  };
  const { figures, details } = await runScale(run);
  reportPart(machine, figures, { scale: details }, benchStarted);
}

cleanUpOnEveryWayOut();
main().then(
  () => exitAfterCleanup(0),
  (error: unknown) => {
    // After Ctrl-C the load's requests fail as the servers stop; that is not the news.
    if (wasInterrupted()) return;
    process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterCleanup(1);
  },
);
