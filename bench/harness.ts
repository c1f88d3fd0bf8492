/**
 * What every part of the bench shares: the system (FerretDB or BENCH_MONGODB_URI, the infra
 * process with the Google sandbox and SMTP capture, both apps as the Docker image runs them),
 * calls to database-api, the CPU each process uses and the quiet the loads wait for, the times
 * inside the apps, the results file, and stopping everything on every way out.
 */
import {
  FerretDbServer,
  AppProcess,
  databaseUri,
  getFreePort,
  mintUserJwt,
  stackEnv,
  startFerretDb,
} from '@connector-service/testing';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { BUSY_INTERVALS, GROUP_BUSY_PER_PARTICIPANT, GROUP_PARTICIPANTS } from './calendar-data';
import { InfraProcess } from './infra-client';
import { LoadSummary, stopLoad } from './load';
import { MachineInfo } from './machine';
import { childPidByName, cpuSeconds, killChildrenNow, machineBusySeconds, sleep } from './processes';
import { Figure, resultsTable } from './report';
import { routeMeans, scrapeRouteTotals } from './server-timing';
import { round } from './stats';
import {
  CALENDAR_CONNECTIONS,
  CALENDAR_DURATION_S,
  CONNECT_CONNECTIONS,
  CONNECT_DURATION_S,
  CONNECT_SUBACCOUNTS,
  CREATE_CONNECTIONS,
  FLOW_POLL_INTERVAL_MS,
  FLOWS_PER_ROUND,
  GROUP_CONNECTIONS,
  HEALTH_POLL_MS,
  LIST_CONNECTIONS,
  LIST_DURATION_S,
  LIST_SEEDED_CONNECTORS,
  QUIET_MAX_FOREIGN_CORES,
  QUIET_WAIT_MAX_S,
  REPLAY_CONNECTIONS,
  REPLAY_OLDEST_DURATION_S,
  RESULTS_DIR,
  ROOT,
  ROUNDS,
  SINGLE_CONNECTION_DURATION_S,
  START_TIMEOUT_MS,
  TARGETS,
  WARMUP_S,
  appsDir,
  calendarOnly,
  diagnostics,
  drainOnly,
  externalMongoUri,
  ferretDbPprofAddr,
  extraNodeFlags,
  label,
  notificationsOnly,
  only,
  scaleOnly,
  skipBuild,
} from './settings';

export const JWT_SECRET = `bench-jwt-secret-${randomBytes(8).toString('hex')}`;
export const DATABASE_SERVICE_TOKEN = `bench-database-service-${randomBytes(8).toString('hex')}`;
export const WEBHOOK_SERVICE_TOKEN = `bench-webhook-service-${randomBytes(8).toString('hex')}`;
export const GOOGLE_CALENDAR = 'google-calendar';

let ferret: FerretDbServer | undefined;
let infra: InfraProcess | undefined;

export function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The infra process (Google sandbox + SMTP capture), started once for the whole run. */
export async function startInfra(): Promise<InfraProcess> {
  infra = await InfraProcess.start(ROOT, START_TIMEOUT_MS);
  return infra;
}

export function requireInfra(): InfraProcess {
  if (!infra) throw new Error('infra-server is not running');
  return infra;
}

/** BENCH_MONGODB_URI's server with the bench's databases emptied, or a fresh FerretDB. */
export async function startDatabase(): Promise<string> {
  if (externalMongoUri) {
    const client = await MongoClient.connect(externalMongoUri);
    try {
      for (const name of BENCH_DATABASES) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
    log(`MongoDB at BENCH_MONGODB_URI (${BENCH_DATABASES.join(' and ')} dropped first)`);
    return externalMongoUri;
  }
  ferret = await startFerretDb({ pprofAddr: ferretDbPprofAddr });
  log(
    `FerretDB on ${ferret.uri} (data in ${ferret.dataDir})` +
      (ferretDbPprofAddr ? `, its profiles at http://${ferretDbPprofAddr}/debug/pprof/` : ''),
  );
  return ferret.uri;
}

// ----- HTTP helpers ---------------------------------------------------------------------

export interface JsonAnswer {
  status: number;
  headers: Headers;
  // Answers are read loosely; what matters is checked where it is used.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function callJson(
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function userToken(subaccountIds: string[]): string {
  return mintUserJwt(JWT_SECRET, { sub: 'bench-user', subaccountIds }, { expiresIn: '3h' });
}

export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

// ----- the system -------------------------------------------------------------------------

export function build(): void {
  if (skipBuild) {
    log('BENCH_SKIP_BUILD=1: using the existing bundles');
  } else {
    log('building production bundles (nx run-many -t build, NODE_ENV=production)');
    const started = performance.now();
    try {
      execFileSync(
        'npx',
        ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'],
        {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...process.env, NODE_ENV: 'production', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        },
      );
    } catch (error) {
      throw new Error(`the build failed (${(error as Error).message}); fix it and run again`);
    }
    log(`build done in ${Math.round(performance.now() - started)} ms`);
  }
  for (const app of ['database-api', 'webhook-api']) {
    const bundle = join(appsDir, app, 'main.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing after the build`);
  }
}

/** The apps run as the Docker image runs them: with its NODE_OPTIONS (the V8 heap limit). */
export function deployedNodeOptions(): string {
  const line = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'));
  if (!line?.[1]) throw new Error('docker/Dockerfile has no ENV NODE_OPTIONS="..." line');
  return line[1];
}

export interface System {
  databaseApi: AppProcess;
  webhookPort: number;
  webhookApi: AppProcess;
  reference: AppProcess;
  databaseUrl: string;
  webhookUrl: string;
  referenceUrl: string;
}

export const DATABASE_API_DB = 'bench_database_api';

export const WEBHOOK_API_DB = 'bench_webhook_api';
const BENCH_DATABASES = [DATABASE_API_DB, WEBHOOK_API_DB];

/** What a bench part changes in webhook-api's setup (BENCH_ONLY=notifications). */
export interface WebhookSetup {
  /** Where webhook-api's MongoDB is (default: mongoUri's own server). */
  mongoUri?: string;
  /** More environment for webhook-api, given its base URL. */
  env?: (webhookUrl: string) => Record<string, string>;
}

export async function createSystem(
  mongoUri: string,
  infraReady: InfraProcess['ready'],
  webhookSetup: WebhookSetup = {},
): Promise<System> {
  const [databasePort, webhookPort, referencePort] = await Promise.all([getFreePort(), getFreePort(), getFreePort()]);
  const databaseMongoUri = databaseUri(mongoUri, DATABASE_API_DB);
  const databaseUrl = `http://127.0.0.1:${databasePort}`;
  const webhookUrl = `http://127.0.0.1:${webhookPort}`;
  const referenceUrl = `http://127.0.0.1:${referencePort}`;

  const env = stackEnv({
    databasePort,
    webhookPort,
    databaseMongoUri,
    webhookMongoUri: databaseUri(webhookSetup.mongoUri ?? mongoUri, WEBHOOK_API_DB),
    jwtSecret: JWT_SECRET,
    serviceTokens: { acceptedByDatabaseApi: DATABASE_SERVICE_TOKEN, acceptedByWebhookApi: WEBHOOK_SERVICE_TOKEN },
    google: infraReady.google,
    smtpUrl: infraReady.smtpUrl,
    logLevel: 'warn',
    common: { NODE_OPTIONS: deployedNodeOptions() },
    overrides: {
      // The load comes from one user; the per-user limit is for people, not for this bench.
      databaseApi: { CONNECT_RATE_LIMIT_PER_MINUTE: '100000' },
      // All callbacks and the sandbox's pushes come from 127.0.0.1; the per-address limits would cut them short.
      webhookApi: {
        CALLBACK_RATE_LIMIT_PER_MINUTE: '100000',
        PUSH_RATE_LIMIT_PER_MINUTE: '10000000',
        ...webhookSetup.env?.(webhookUrl),
      },
    },
  });
  // Flags, not NODE_OPTIONS: Node 20 refuses --cpu-prof there.
  const timing = { nodeArgs: extraNodeFlags, readyTimeoutMs: START_TIMEOUT_MS, pollIntervalMs: HEALTH_POLL_MS };
  const databaseApi = AppProcess.builtApp('database-api', {
    ...timing,
    appsDir,
    port: databasePort,
    env: env.databaseApi,
  });
  const webhookApi = AppProcess.builtApp('webhook-api', { ...timing, appsDir, port: webhookPort, env: env.webhookApi });
  const reference = new AppProcess({
    name: 'reference-server',
    script: join(ROOT, 'bench/reference-server.ts'),
    nodeArgs: ['--import', 'tsx'],
    port: referencePort,
    readyTimeoutMs: START_TIMEOUT_MS,
    pollIntervalMs: HEALTH_POLL_MS,
    env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', MONGODB_URI: databaseMongoUri, JWT_SECRET },
  });
  return { databaseApi, webhookApi, webhookPort, reference, databaseUrl, webhookUrl, referenceUrl };
}

/** Both apps of a bench system, started. */
export async function started(system: System): Promise<System> {
  await system.databaseApi.start();
  await system.webhookApi.start();
  return system;
}

// ----- database-api's connector routes -------------------------------------------------------

export async function addConnector(system: System, subaccountId: string, body: Record<string, unknown>): Promise<void> {
  const answer = await callJson(
    'POST',
    `${system.databaseUrl}/api/connectors/${subaccountId}`,
    userToken([subaccountId]),
    body,
  );
  if (answer.status !== 201) {
    throw new Error(
      `seeding: POST /api/connectors/${subaccountId} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
    );
  }
}

export async function removeConnector(system: System, subaccountId: string): Promise<void> {
  const url = `${system.databaseUrl}/api/connectors/${subaccountId}/${GOOGLE_CALENDAR}`;
  const answer = await callJson('DELETE', url, userToken([subaccountId]));
  if (answer.status !== 200) throw new Error(`DELETE ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export function calendarRoute(subaccountId: string, path: string): string {
  return `/api/connectors/${subaccountId}/google-calendar/${path}`;
}

// ----- where the CPU goes -------------------------------------------------------------------

/** Cores each process kept busy during a load (CPU seconds ÷ wall seconds). */
export type CpuUse = Record<string, number>;

export function cpuNow(system: System): Record<string, number> {
  const pids: Record<string, number | undefined> = {
    ferretdb: childPidByName('ferretdb'),
    'database-api': system.databaseApi.pid,
    'webhook-api': system.webhookApi.pid,
    reference: system.reference.pid,
    'sandbox+smtp': infra?.pid,
  };
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) seconds[name] = pid === undefined ? Number.NaN : cpuSeconds(pid);
  const self = process.cpuUsage();
  seconds['bench (autocannon)'] = (self.user + self.system) / 1e6;
  seconds['machine'] = machineBusySeconds();
  return seconds;
}

/** Cores used by processes that are not part of this bench (other work on the machine). */
export function foreignCores(use: CpuUse): number {
  const ours = Object.entries(use)
    .filter(([name, cores]) => name !== 'machine' && Number.isFinite(cores))
    .reduce((sum, [, cores]) => sum + cores, 0);
  return round(Math.max(0, (use['machine'] ?? 0) - ours), 2);
}

/**
 * The machine is shared: wait until other processes leave it (nearly) alone before a
 * measured load, so a neighbour's build does not land in the figures. Gives up after
 * QUIET_WAIT_MAX_S and says so (the load's foreign CPU is recorded either way).
 */
export async function waitForQuiet(system: System): Promise<void> {
  const deadline = performance.now() + QUIET_WAIT_MAX_S * 1000;
  for (;;) {
    const [, use] = await withCpu(system, () => sleep(1000));
    const foreign = foreignCores(use);
    if (foreign < QUIET_MAX_FOREIGN_CORES) return;
    if (performance.now() > deadline) {
      log(`  the machine is busy with other work (${foreign.toFixed(2)} cores not ours); measuring anyway`);
      return;
    }
  }
}

/** CPU milliseconds one process spent per request of a load (its cores × the load's seconds ÷ its requests). */
export function cpuMsPerRequest([load, cpu]: [LoadSummary, CpuUse], process: string): number {
  return ((cpu[process] ?? NaN) * load.durationS * 1000) / load.requestsTotal;
}

export async function withCpu<T>(system: System, work: () => Promise<T>): Promise<[T, CpuUse]> {
  const before = cpuNow(system);
  const started = performance.now();
  const result = await work();
  const wallS = (performance.now() - started) / 1000;
  const after = cpuNow(system);
  const use: CpuUse = {};
  for (const name of Object.keys(before))
    use[name] = round(((after[name] ?? Number.NaN) - (before[name] ?? Number.NaN)) / wallS, 2);
  return [result, use];
}

export function describeCpu(use: CpuUse): string {
  return `CPU cores used: ${Object.entries(use)
    .filter(([name, cores]) => name !== 'machine' && Number.isFinite(cores))
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(' · ')} · not ours ${foreignCores(use).toFixed(2)}`;
}

export type ServerTimes = Record<string, { route: string; count: number; meanMs: number }[]>;

/** Runs `work` and reads, from both apps' /metrics, the mean time each route took inside the app meanwhile. */
export async function withServerTimes<T>(system: System, work: () => Promise<T>): Promise<[T, ServerTimes]> {
  const apps = { 'database-api': system.databaseUrl, 'webhook-api': system.webhookUrl };
  const before = await Promise.all(Object.values(apps).map(scrapeRouteTotals));
  const result = await work();
  const after = await Promise.all(Object.values(apps).map(scrapeRouteTotals));
  const times: ServerTimes = {};
  Object.keys(apps).forEach((app, i) => {
    times[app] = routeMeans(before[i] ?? new Map(), after[i] ?? new Map()).filter((r) => !r.route.includes('/metrics'));
  });
  return [result, times];
}

export function describeServerTimes(times: ServerTimes): string {
  const parts = Object.entries(times).flatMap(([app, rows]) =>
    rows.slice(0, 2).map((r) => `${app} ${r.route} ×${r.count} mean ${r.meanMs} ms`),
  );
  return `inside the apps: ${parts.join(' · ') || 'no /metrics'}`;
}

/** A measured load: first a quiet machine, then the load with its CPU accounted. */
export async function measuredLoad<T>(system: System, work: () => Promise<T>): Promise<[T, CpuUse]> {
  await waitForQuiet(system);
  return withCpu(system, work);
}

export function describeLoad(name: string, s: LoadSummary): string {
  return (
    `${name}: ${Math.round(s.rps)} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, ` +
    `${s.non2xx} non-2xx, ${s.errors} errors` +
    (Object.keys(s.statusCodes).some((c) => !c.startsWith('2')) ? ` (statuses ${JSON.stringify(s.statusCodes)})` : '')
  );
}

export function round2(value: number): number {
  return round(value, 2);
}

// ----- results ------------------------------------------------------------------------------

export function writeResults(
  machine: MachineInfo,
  figures: Figure[],
  rounds: readonly unknown[],
  extra: Record<string, unknown>,
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const name = label
    ? `${label}.json`
    : diagnostics
      ? 'diagnostics.json'
      : calendarOnly
        ? 'calendar.json'
        : notificationsOnly
          ? 'notifications.json'
          : drainOnly
            ? 'drain.json'
            : scaleOnly
              ? 'scale.json'
              : 'latest.json';
  const path = join(RESULTS_DIR, name);
  const settings = {
    ROUNDS,
    WARMUP_S,
    LIST_CONNECTIONS,
    LIST_DURATION_S,
    LIST_SEEDED_CONNECTORS,
    CONNECT_CONNECTIONS,
    CONNECT_DURATION_S,
    CONNECT_SUBACCOUNTS,
    FLOWS_PER_ROUND,
    FLOW_POLL_INTERVAL_MS,
    CALENDAR_CONNECTIONS,
    CALENDAR_DURATION_S,
    GROUP_CONNECTIONS,
    GROUP_PARTICIPANTS,
    GROUP_BUSY_PER_PARTICIPANT,
    CREATE_CONNECTIONS,
    REPLAY_CONNECTIONS,
    REPLAY_OLDEST_DURATION_S,
    SINGLE_CONNECTION_DURATION_S,
    BUSY_INTERVALS,
    only: only || 'all',
    appsDir,
    nodeFlags: extraNodeFlags,
  };
  writeFileSync(
    path,
    `${JSON.stringify({ machine, settings, targets: TARGETS, figures, rounds, ...extra }, null, 2)}\n`,
  );
  return path;
}

/** A BENCH_ONLY part's end: its table, its results file, and the targets it missed. */
export function reportPart(
  machine: MachineInfo,
  figures: Figure[],
  details: Record<string, unknown>,
  benchStarted: number,
): void {
  process.stdout.write(`\n${resultsTable(figures)}\n\n`);
  const totalS = Math.round((performance.now() - benchStarted) / 1000);
  const path = writeResults(machine, figures, [], { ...details, totalSeconds: totalS });
  log(`results written to ${path} (bench took ${totalS} s)`);
  logMissed(figures);
}

export function logMissed(figures: Figure[]): void {
  const missed = figures.filter((f) => f.pass === false).map((f) => f.id);
  log(missed.length === 0 ? 'every target met' : `targets missed: ${missed.join(', ')}`);
}

// ----- cleanup on every way out --------------------------------------------------------------

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopLoad();
    await AppProcess.stopAll(5_000);
    await infra?.stop().catch(() => undefined);
    await ferret?.stop().catch(() => undefined);
  })();
  return cleaning;
}

export function exitAfterCleanup(code: number): void {
  const force = setTimeout(() => process.exit(code), 20_000);
  force.unref();
  void cleanup().finally(() => process.exit(code));
}

let interrupted = false;
function interrupt(signal: NodeJS.Signals, code: number): void {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping every process`);
  exitAfterCleanup(code);
}

/** After Ctrl-C or SIGTERM: the load's requests fail as the servers stop, which is not the news. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** However the run ends (Ctrl-C, SIGTERM, a crash, its end), every process it started stops and FerretDB's data goes. */
export function cleanUpOnEveryWayOut(): void {
  process.on('SIGINT', () => interrupt('SIGINT', 130));
  process.on('SIGTERM', () => interrupt('SIGTERM', 143));
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench crashed: ${error.stack ?? error.message}\n`);
    exitAfterCleanup(1);
  });
  process.on('exit', () => {
    // Last resort when something skipped the orderly stop: no orphan servers, no stray data.
    AppProcess.killAllNow();
    killChildrenNow();
    if (ferret) rmSync(ferret.dataDir, { recursive: true, force: true });
  });
}
