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
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MongoClient } from 'mongodb';
import { join, resolve } from 'node:path';
import { AppProcess } from '../libs/testing/src/lib/app-process';
import { FerretDbServer, databaseUri, startFerretDb } from '../libs/testing/src/lib/ferretdb';
import { getFreePort } from '../libs/testing/src/lib/free-port';
import { mintUserJwt } from '../libs/testing/src/lib/jwt';
import { stackEnv } from '../libs/testing/src/lib/stack-env';
import {
  availabilityRequest,
  availabilitySeed,
  BUSY_INTERVALS,
  createEventBody,
  GROUP_BUSY_PER_PARTICIPANT,
  GROUP_PARTICIPANTS,
  groupAvailabilityRequest,
  groupParticipantSeed,
  groupSlotsProblem,
  overlappingCount,
  slotsProblem,
} from './calendar-data';
import { InfraProcess } from './infra-client';
import { NotificationsRun, runNotifications } from './notifications';
import { ScaleRun, runScale } from './scale';
import type { SeedCalendars } from './infra-protocol';
import { LoadSummary, runLoad, stopLoad } from './load';
import { MachineInfo, machineInfo } from './machine';
import {
  childPidByName,
  cpuSeconds,
  killChildrenNow,
  machineBusySeconds,
  processMemory,
  runQueueWaitSeconds,
  sleep,
} from './processes';
import { Figure, figure, resultsTable, updateReadme } from './report';
import {
  Histogram,
  histogramDelta,
  histogramQuantile,
  routeMeans,
  scrapeGauges,
  scrapeHistogram,
  scrapeRouteTotals,
  shareAtOrBelow,
} from './server-timing';
import { median, percentile, round } from './stats';

// ---------------------------------------------------------------------------------------
// Rounds, loads and durations (the whole bench takes about 6-7 minutes on 2 cores).
const ROUNDS = 3;
const WARMUP_S = 3;
const LIST_CONNECTIONS = 50;
const LIST_DURATION_S = 10;
const LIST_SEEDED_CONNECTORS = 10;
/** The fixed-rate list loads: half the bare reference's maximum of the round, same connections. */
const LIST_FIXED_RATE_SHARE = 0.5;
const LIST_FIXED_RATE_DURATION_S = 5;
const CONNECT_CONNECTIONS = 20;
const CONNECT_DURATION_S = 10;
const CONNECT_SUBACCOUNTS = 5;
const FLOWS_PER_ROUND = 200;
const WARMUP_FLOWS = 10;
const FLOW_POLL_INTERVAL_MS = 5;
const FLOW_VISIBLE_TIMEOUT_MS = 10_000;
const SEED_CONCURRENCY = 8;
/** The calendar loads: availability, creates with a fresh Idempotency-Key each, replays of one key. */
const CALENDAR_CONNECTIONS = 20;
const CALENDAR_DURATION_S = 10;
/** The group availability load (GROUP_PARTICIPANTS subaccounts in each request): issue 18's 10 connections. */
const GROUP_CONNECTIONS = 10;
/**
 * Not 20: FerretDB is the limit of the creates (one SQLite writer, and each create's update of
 * its idempotency record scans the table), so 20 connections gave the same throughput as 5
 * (44 vs 39 req/s) and only queued longer (p99 3.1 s vs 0.7 s). See bench/README.md.
 */
const CREATE_CONNECTIONS = 5;
const REPLAY_CONNECTIONS = 20;
/**
 * Beside the figures: the replay of the oldest key (its record first in FerretDB's table, see
 * bench/README.md), and it and the availability with one connection (no queueing).
 */
const REPLAY_OLDEST_DURATION_S = 5;
const SINGLE_CONNECTION_DURATION_S = 3;
const START_TIMEOUT_MS = 30_000;
/** How often /health is tried while an app starts: the resolution of the cold start. */
const HEALTH_POLL_MS = 10;
/** Before each measured load, wait (up to QUIET_WAIT_MAX_S) until processes not ours use less than this. */
const QUIET_MAX_FOREIGN_CORES = 0.25;
const QUIET_WAIT_MAX_S = 10;

const TARGETS = {
  listThroughputRatio: 0.9,
  listP99Ms: 50,
  /** database-api's p50 at the fixed rate minus the bare reference's. */
  listFixedRateP50OverBareMs: 1,
  listCpuPerRequestMs: 0.6,
  connectP99Ms: 150,
  connectErrors: 0,
  flowP50Ms: 50,
  flowP99Ms: 250,
  rssMb: 200,
  coldStartMs: 3000,
  availabilityComputeP99Ms: 5,
  /** Share of computations in the ≤ 5 ms bucket, %. */
  availabilityComputeWithinPct: 99,
  /** Ours, not the issue's: see bench/README.md. */
  availabilityRouteP99Ms: 250,
  /** Issue 18's, on this machine with the sandbox answering at once. */
  groupAvailabilityP99Ms: 250,
  calendarErrors: 0,
  replayP99Ms: 20,
} as const;
// ---------------------------------------------------------------------------------------

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench/results');
const README = join(ROOT, 'bench/README.md');
const JWT_SECRET = `bench-jwt-secret-${randomBytes(8).toString('hex')}`;
const DATABASE_SERVICE_TOKEN = `bench-database-service-${randomBytes(8).toString('hex')}`;
const WEBHOOK_SERVICE_TOKEN = `bench-webhook-service-${randomBytes(8).toString('hex')}`;
const GOOGLE_CALENDAR = 'google-calendar';

const label = process.env['BENCH_LABEL'] ?? '';
const extraNodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter(Boolean);
const externalMongoUri = process.env['BENCH_MONGODB_URI'] ?? '';
const diagnostics = extraNodeFlags.length > 0 || externalMongoUri !== '';
const skipBuild = process.env['BENCH_SKIP_BUILD'] === '1';
const appsDir = resolve(process.env['BENCH_APPS_DIR'] ?? join(ROOT, 'dist/apps'));
const only = process.env['BENCH_ONLY'] ?? '';
const calendarOnly = only === 'calendar';
const notificationsOnly = only === 'notifications';
const drainOnly = only === 'drain';
const scaleOnly = only === 'scale';
/** webhook-api's histogram of the slot computation alone (no Google calls). */
const COMPUTE_HISTOGRAM = 'availability_compute_seconds';
/** prom-client's default GC histogram, by kind: what else can stop a computation midway. */
const GC_KINDS = ['minor', 'major', 'incremental'] as const;
const GC_SERIES = GC_KINDS.flatMap((kind) => [
  `nodejs_gc_duration_seconds_sum{kind="${kind}"}`,
  `nodejs_gc_duration_seconds_count{kind="${kind}"}`,
]);

let ferret: FerretDbServer | undefined;
let infra: InfraProcess | undefined;

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// ----- HTTP helpers ---------------------------------------------------------------------

interface JsonAnswer {
  status: number;
  headers: Headers;
  // Answers are read loosely; what matters is checked where it is used.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function callJson(
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

function userToken(subaccountIds: string[]): string {
  return mintUserJwt(JWT_SECRET, { sub: 'bench-user', subaccountIds }, { expiresIn: '3h' });
}

function newSubaccountId(): string {
  return randomBytes(12).toString('hex');
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
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

function build(): void {
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
function deployedNodeOptions(): string {
  const line = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'));
  if (!line?.[1]) throw new Error('docker/Dockerfile has no ENV NODE_OPTIONS="..." line');
  return line[1];
}

/** What the RSS line breaks down: V8's heap spaces (used) and memory outside the heap, from /metrics. */
const HEAP_GAUGES = [
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_space_size_used_bytes{space="new"}',
  'nodejs_heap_space_size_used_bytes{space="old"}',
  'nodejs_heap_space_size_used_bytes{space="code"}',
  'nodejs_heap_space_size_used_bytes{space="large_object"}',
  'nodejs_external_memory_bytes',
];

function heap(gauges: Record<string, number>): string {
  const mb = (name: string): number => Math.round((gauges[name] ?? 0) / 1048576);
  if (gauges['nodejs_heap_size_used_bytes'] === undefined) return '';
  const space = (name: string): string => `${name} ${mb(`nodejs_heap_space_size_used_bytes{space="${name}"}`)}`;
  return (
    ` (V8 heap ${mb('nodejs_heap_size_used_bytes')} MB used of ${mb('nodejs_heap_size_total_bytes')} MB: ` +
    `${['new', 'old', 'code', 'large_object'].map(space).join(', ')}; external ${mb('nodejs_external_memory_bytes')} MB)`
  );
}

interface System {
  databaseApi: AppProcess;
  webhookPort: number;
  webhookApi: AppProcess;
  reference: AppProcess;
  databaseUrl: string;
  webhookUrl: string;
  referenceUrl: string;
}

const DATABASE_API_DB = 'bench_database_api';
const WEBHOOK_API_DB = 'bench_webhook_api';
const BENCH_DATABASES = [DATABASE_API_DB, WEBHOOK_API_DB];

/** What a bench part changes in webhook-api's setup (BENCH_ONLY=notifications). */
interface WebhookSetup {
  /** Where webhook-api's MongoDB is (default: mongoUri's own server). */
  mongoUri?: string;
  /** More environment for webhook-api, given its base URL. */
  env?: (webhookUrl: string) => Record<string, string>;
}

async function createSystem(
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

/** Each app from nothing to its first 200 on /health, ROUNDS times (one app at a time); leaves both running. */
interface ColdStarts {
  databaseApi: number[];
  webhookApi: number[];
  /** VmRSS right after the first 200, MB. */
  readyRssMb: { databaseApi: number[]; webhookApi: number[] };
}

async function measureColdStarts(system: System): Promise<ColdStarts> {
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

// ----- data -------------------------------------------------------------------------------

interface Dataset {
  listSubaccount: string;
  listToken: string;
  connectSubaccounts: string[];
}

async function addConnector(system: System, subaccountId: string, body: Record<string, unknown>): Promise<void> {
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

/**
 * The listed subaccount's connectors and the handlegooglecalendar subaccounts, through
 * database-api's API. The flows' subaccounts come and go with each flow round, so every
 * list round runs on the same collection (FerretDB scans all of it for the list).
 */
async function seed(system: System): Promise<Dataset> {
  const listSubaccount = newSubaccountId();
  const connectSubaccounts = Array.from({ length: CONNECT_SUBACCOUNTS }, newSubaccountId);
  const started = performance.now();

  // The listed subaccount: google-calendar and nine others, each with a little config.
  const listConnectors = Array.from({ length: LIST_SEEDED_CONNECTORS }, (_, i) =>
    i === 0
      ? { connectorId: GOOGLE_CALENDAR }
      : {
          connectorId: `bench-connector-${String(i).padStart(2, '0')}`,
          name: `Bench connector ${i}`,
          config: { region: 'eu-west-1', syncIntervalMinutes: 15 + i, labels: ['bench', `n${i}`] },
        },
  );
  for (const connector of listConnectors) await addConnector(system, listSubaccount, connector);

  for (const subaccountId of connectSubaccounts)
    await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
  log(
    `seeded ${listConnectors.length + connectSubaccounts.length} connectors via the API in ${Math.round(performance.now() - started)} ms ` +
      `(${listConnectors.length} on the listed subaccount, ${connectSubaccounts.length} google-calendar ones for handlegooglecalendar)`,
  );
  return { listSubaccount, listToken: userToken([listSubaccount]), connectSubaccounts };
}

async function removeConnector(system: System, subaccountId: string): Promise<void> {
  const url = `${system.databaseUrl}/api/connectors/${subaccountId}/${GOOGLE_CALENDAR}`;
  const answer = await callJson('DELETE', url, userToken([subaccountId]));
  if (answer.status !== 200) throw new Error(`DELETE ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** The calendar loads' subaccounts, each connected to its own Google account at the sandbox. */
interface CalendarData {
  /** Its account has the primary calendar and two added ones, with BUSY_INTERVALS busy times in the week. */
  availabilitySubaccount: string;
  availabilityToken: string;
  availabilityBody: Record<string, unknown>;
  /** Where the creates and the replays go (its own account, so they never land in the availability week). */
  eventsSubaccount: string;
  eventsToken: string;
  /** Created at seeding, before any other create: the oldest idempotency record. */
  seededReplay: ReplayTarget;
  group: GroupData;
}

/** The group availability load's participants: one token for all of them, and the request. */
interface GroupData {
  subaccountIds: string[];
  token: string;
  body: Record<string, unknown>;
}

/** A key and body created once (201), then repeated by a replay load. */
interface ReplayTarget {
  key: string;
  body: Record<string, unknown>;
}

/** database-api's group availability route (the subaccounts are in the body). */
const GROUP_AVAILABILITY_PATH = '/api/google-calendar/availability';

function calendarRoute(subaccountId: string, path: string): string {
  return `/api/connectors/${subaccountId}/google-calendar/${path}`;
}

/**
 * Two subaccounts with the connector, connected through the same OAuth flow the flow rounds
 * time; the availability one's account then gets its calendars and busy times at the sandbox
 * (over the infra process's IPC). Checks what the loads rely on: the slots avoid every busy
 * time, free/busy reads all three calendars, and a repeated create is a replay of the first.
 */
async function seedCalendarWork(system: System): Promise<CalendarData> {
  const started = performance.now();
  const availabilitySubaccount = newSubaccountId();
  const eventsSubaccount = newSubaccountId();
  const availabilityEmail = `bench-availability-${availabilitySubaccount.slice(0, 8)}@example.com`;
  for (const [subaccountId, email] of [
    [availabilitySubaccount, availabilityEmail],
    [eventsSubaccount, `bench-events-${eventsSubaccount.slice(0, 8)}@example.com`],
  ] as const) {
    await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
    await connectFlow(system, subaccountId, email);
  }

  const seed = availabilitySeed(availabilityEmail);
  const seeded = await requireInfra().seedCalendars(seed);
  if (seeded.events !== BUSY_INTERVALS) throw new Error(`the sandbox stored ${seeded.events} busy events`);
  const googleCalendarIds = ['primary', ...seeded.calendarIds];
  const availabilityToken = userToken([availabilitySubaccount]);
  const availabilityBody = availabilityRequest(googleCalendarIds);
  await checkAvailability(system, availabilitySubaccount, availabilityToken, availabilityBody, seed);

  const eventsToken = userToken([eventsSubaccount]);
  const seededReplay = await firstCreate(system, eventsSubaccount, eventsToken, 0);
  const group = await seedGroup(system);
  log(
    `calendar work seeded in ${Math.round(performance.now() - started)} ms: ${2 + GROUP_PARTICIPANTS} connected subaccounts; ` +
      `${seeded.events} busy events on 3 calendars (${overlappingCount(seed)} overlap another), one event created for the replays, ` +
      `${GROUP_BUSY_PER_PARTICIPANT} busy events on each group participant's primary calendar`,
  );
  return {
    availabilitySubaccount,
    availabilityToken,
    availabilityBody,
    eventsSubaccount,
    eventsToken,
    seededReplay,
    group,
  };
}

/**
 * The group's GROUP_PARTICIPANTS subaccounts, each connected through the flow to its own
 * Google account, whose primary calendar gets its busy times at the sandbox; then a check that
 * the group's answer is exactly the half hours none of them is busy in.
 */
async function seedGroup(system: System): Promise<GroupData> {
  const subaccountIds = Array.from({ length: GROUP_PARTICIPANTS }, newSubaccountId);
  const seeds = subaccountIds.map((subaccountId, i) =>
    groupParticipantSeed(`bench-group-${i}-${subaccountId.slice(0, 8)}@example.com`, i),
  );
  for (const [i, subaccountId] of subaccountIds.entries()) {
    const seed = seeds[i] as SeedCalendars;
    await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
    await connectFlow(system, subaccountId, seed.email);
    const seeded = await requireInfra().seedCalendars(seed);
    if (seeded.events !== GROUP_BUSY_PER_PARTICIPANT) {
      throw new Error(`the sandbox stored ${seeded.events} busy events for ${seed.email}`);
    }
  }
  const group: GroupData = {
    subaccountIds,
    token: userToken(subaccountIds),
    body: groupAvailabilityRequest(subaccountIds),
  };
  const freeBusyBefore = await freeBusyCalls();
  const answer = await callJson('POST', `${system.databaseUrl}${GROUP_AVAILABILITY_PATH}`, group.token, group.body);
  const freeBusy = (await freeBusyCalls()) - freeBusyBefore;
  if (freeBusy !== GROUP_PARTICIPANTS) {
    throw new Error(
      `one group availability request made ${freeBusy} Google free/busy calls, expected one per participant`,
    );
  }
  if (answer.status !== 200) {
    throw new Error(`POST ${GROUP_AVAILABILITY_PATH} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const slots = answer.body.data.slots as { start: string; end: string; subaccountIds: string[] }[];
  const problem = groupSlotsProblem(seeds, subaccountIds, slots);
  if (problem) throw new Error(`POST ${GROUP_AVAILABILITY_PATH} answered wrong slots: ${problem}`);
  log(
    `group availability checked: ${slots.length} of the week's 80 half hours free for all ${GROUP_PARTICIPANTS}, ` +
      `one Google free/busy call per participant`,
  );
  return group;
}

async function checkAvailability(
  system: System,
  subaccountId: string,
  token: string,
  body: Record<string, unknown>,
  seed: SeedCalendars,
): Promise<void> {
  const freeBusy = await callJson('POST', `${system.databaseUrl}${calendarRoute(subaccountId, 'freebusy')}`, token, {
    timeMin: body['timeMin'],
    timeMax: body['timeMax'],
    googleCalendarIds: body['googleCalendarIds'],
  });
  const calendars = (freeBusy.body?.data?.calendars ?? []) as { busy: unknown[]; error?: string }[];
  if (freeBusy.status !== 200 || calendars.length !== 3 || calendars.some((c) => c.error || c.busy.length === 0)) {
    throw new Error(`free/busy of the seeded calendars answered ${freeBusy.status}: ${JSON.stringify(freeBusy.body)}`);
  }
  const answer = await callJson(
    'POST',
    `${system.databaseUrl}${calendarRoute(subaccountId, 'availability')}`,
    token,
    body,
  );
  if (answer.status !== 200) {
    throw new Error(`POST availability answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const slots = answer.body.data.slots as { start: string; end: string }[];
  const problem = slotsProblem(seed, slots);
  if (problem) throw new Error(`POST availability answered wrong slots: ${problem}`);
  log(
    `availability checked: ${slots.length} free 30-minute slots of 80 in the week; Google reports ` +
      `${calendars.map((c) => c.busy.length).join(' + ')} merged busy blocks`,
  );
}

/** The first create of the `n`-th replayed key, and a check that repeating it is a replay. */
async function firstCreate(system: System, subaccountId: string, token: string, n: number): Promise<ReplayTarget> {
  const key = `bench-replay-${n}-${randomBytes(8).toString('hex')}`;
  // Before the creates' times, one half hour per key.
  const body = createEventBody(-1 - n, `Bench replayed booking ${n}`);
  const url = `${system.databaseUrl}${calendarRoute(subaccountId, 'events')}`;
  const first = await callJson('POST', url, token, body, { 'Idempotency-Key': key });
  const again = await callJson('POST', url, token, body, { 'Idempotency-Key': key });
  if (first.status !== 201 || first.headers.get('idempotent-replayed') !== null) {
    throw new Error(`the first create answered ${first.status}: ${JSON.stringify(first.body)}`);
  }
  if (
    again.status !== 201 ||
    again.headers.get('idempotent-replayed') !== 'true' ||
    again.body.data?.id !== first.body.data?.id
  ) {
    throw new Error(
      `the repeated create is no replay: ${again.status}, Idempotent-Replayed ${String(again.headers.get('idempotent-replayed'))}, ` +
        `${JSON.stringify(again.body)}`,
    );
  }
  return { key, body };
}

/** The reference must answer exactly what database-api answers, or the comparison means nothing. */
async function checkReferenceAgrees(system: System, data: Dataset): Promise<void> {
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

// ----- the loads --------------------------------------------------------------------------

function listLoad(baseUrl: string, data: Dataset, durationS: number, overallRate?: number): Promise<LoadSummary> {
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

function connectLoad(system: System, data: Dataset, durationS: number): Promise<LoadSummary> {
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

/** The availability request, over and over (one subaccount, one user, as the SPA's booking page asks it). */
function availabilityLoad(
  system: System,
  data: CalendarData,
  durationS: number,
  connections = CALENDAR_CONNECTIONS,
): Promise<LoadSummary> {
  return runLoad({
    url: system.databaseUrl,
    connections,
    durationS,
    requests: [
      {
        method: 'POST',
        path: calendarRoute(data.availabilitySubaccount, 'availability'),
        headers: { authorization: `Bearer ${data.availabilityToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(data.availabilityBody),
      },
    ],
  });
}

/** The group's availability, over and over (one user whose token names every participant). */
function groupAvailabilityLoad(system: System, data: CalendarData, durationS: number): Promise<LoadSummary> {
  return runLoad({
    url: system.databaseUrl,
    connections: GROUP_CONNECTIONS,
    durationS,
    requests: [
      {
        method: 'POST',
        path: GROUP_AVAILABILITY_PATH,
        headers: { authorization: `Bearer ${data.group.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(data.group.body),
      },
    ],
  });
}

/** Creates and replays whose answer was not what the load is about (a replay among the creates, or the reverse). */
interface Replays {
  replayed: number;
  fresh: number;
}

function countReplays(
  replays: Replays,
): (status: number, body: string, context: object, headers: Record<string, unknown> | undefined) => void {
  return (status, _body, _context, headers) => {
    if (status !== 201) return;
    // autocannon keeps the header names as the server wrote them.
    const replayed = Object.entries(headers ?? {}).some(
      ([name, value]) => name.toLowerCase() === 'idempotent-replayed' && String(value) === 'true',
    );
    if (replayed) replays.replayed += 1;
    else replays.fresh += 1;
  };
}

/** Numbers the creates of the whole run, so each one has its own time and key. */
let createdEvents = 0;

/** Event creates, each with a fresh Idempotency-Key and its own half hour. */
async function createLoad(system: System, data: CalendarData, durationS: number): Promise<[LoadSummary, Replays]> {
  const replays: Replays = { replayed: 0, fresh: 0 };
  const runId = randomBytes(4).toString('hex');
  const summary = await runLoad({
    url: system.databaseUrl,
    connections: CREATE_CONNECTIONS,
    durationS,
    requests: [
      {
        method: 'POST',
        path: calendarRoute(data.eventsSubaccount, 'events'),
        headers: { authorization: `Bearer ${data.eventsToken}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const n = createdEvents++;
          return {
            ...request,
            headers: { ...request.headers, 'idempotency-key': `bench-create-${runId}-${n}` },
            body: JSON.stringify(createEventBody(n)),
          };
        },
        onResponse: countReplays(replays),
      },
    ],
  });
  return [summary, replays];
}

/** A create already made (key and body), again and again: every answer a replay. */
async function replayLoad(
  system: System,
  data: CalendarData,
  target: ReplayTarget,
  durationS: number,
  connections: number,
): Promise<[LoadSummary, Replays]> {
  const replays: Replays = { replayed: 0, fresh: 0 };
  const summary = await runLoad({
    url: system.databaseUrl,
    connections,
    durationS,
    requests: [
      {
        method: 'POST',
        path: calendarRoute(data.eventsSubaccount, 'events'),
        headers: {
          authorization: `Bearer ${data.eventsToken}`,
          'content-type': 'application/json',
          'idempotency-key': target.key,
        },
        body: JSON.stringify(target.body),
        onResponse: countReplays(replays),
      },
    ],
  });
  return [summary, replays];
}

interface FlowSample {
  /** Callback answered → `isConnected: true` seen on GET connector. */
  visibleMs: number;
  /** How long the callback itself took to answer. */
  callbackMs: number;
  polls: number;
}

/**
 * One whole connect flow of `subaccountId` (which has the connector) with the Google account
 * `userEmail`; times from the answered callback to the metadata being visible.
 */
async function connectFlow(system: System, subaccountId: string, userEmail: string): Promise<FlowSample> {
  const token = userToken([subaccountId]);
  const { answeredAt, callbackMs } = await consentAndCallback(system, subaccountId, userEmail);
  const url = `${system.databaseUrl}/api/connectors/${subaccountId}/${GOOGLE_CALENDAR}`;
  for (let polls = 1; ; polls++) {
    const pollStarted = performance.now();
    const answer = await callJson('GET', url, token);
    const now = performance.now();
    if (answer.status === 200 && answer.body.data?.metadata?.isConnected === true) {
      return { visibleMs: now - answeredAt, callbackMs, polls };
    }
    if (now - answeredAt > FLOW_VISIBLE_TIMEOUT_MS) {
      throw new Error(
        `metadata not visible ${FLOW_VISIBLE_TIMEOUT_MS} ms after the callback (last answer ${answer.status})`,
      );
    }
    const wait = FLOW_POLL_INTERVAL_MS - (now - pollStarted);
    if (wait > 0) await sleep(wait);
  }
}

/**
 * The flow up to webhook-api's callback answering 200 (the connection is connected there; its
 * metadata reaches database-api afterwards, through the outbox).
 */
async function consentAndCallback(
  system: System,
  subaccountId: string,
  userEmail: string,
): Promise<{ answeredAt: number; callbackMs: number }> {
  const token = userToken([subaccountId]);
  const requested = await callJson(
    'POST',
    `${system.databaseUrl}/api/connectors/${subaccountId}/handlegooglecalendar`,
    token,
    { userEmail },
  );
  if (requested.status !== 200)
    throw new Error(`handlegooglecalendar answered ${requested.status}: ${JSON.stringify(requested.body)}`);
  const consent = await fetch(requested.body.data.authUrl as string, { redirect: 'manual' });
  await consent.arrayBuffer();
  const callbackUrl = consent.headers.get('location');
  if (consent.status !== 302 || !callbackUrl)
    throw new Error(`the sandbox's consent answered ${consent.status} without a redirect`);

  const callbackStarted = performance.now();
  const callback = await fetch(callbackUrl, { redirect: 'manual' });
  const answeredAt = performance.now();
  const page = await callback.text();
  if (callback.status !== 200) throw new Error(`the callback answered ${callback.status}: ${page.slice(0, 300)}`);
  return { answeredAt, callbackMs: answeredAt - callbackStarted };
}

interface FlowRound {
  samples: FlowSample[];
  failures: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  callbackP50Ms: number;
  callbackP99Ms: number;
}

/**
 * `count` fresh subaccounts get the google-calendar connector (untimed), then connect one
 * after another (a user at a time, so each flow measures the pipeline, not a queue); their
 * connectors are deleted afterwards so the next round starts from the same collection.
 */
async function flowRound(system: System, count: number): Promise<FlowRound> {
  const subaccounts = Array.from({ length: count }, newSubaccountId);
  await inBatches(subaccounts, SEED_CONCURRENCY, (subaccountId) =>
    addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR }),
  );
  const samples: FlowSample[] = [];
  const failures: string[] = [];
  for (const [i, subaccountId] of subaccounts.entries()) {
    try {
      samples.push(await connectFlow(system, subaccountId, `flow-${i}@example.com`));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  await inBatches(subaccounts, SEED_CONCURRENCY, (subaccountId) => removeConnector(system, subaccountId));
  const visible = samples.map((s) => s.visibleMs);
  const callbacks = samples.map((s) => s.callbackMs);
  return {
    samples,
    failures,
    p50Ms: percentile(visible, 50),
    p99Ms: percentile(visible, 99),
    maxMs: Math.max(...visible),
    callbackP50Ms: percentile(callbacks, 50),
    callbackP99Ms: percentile(callbacks, 99),
  };
}

// ----- where the CPU goes -------------------------------------------------------------------

/** Cores each process kept busy during a load (CPU seconds ÷ wall seconds). */
type CpuUse = Record<string, number>;

function cpuNow(system: System): Record<string, number> {
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
function foreignCores(use: CpuUse): number {
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
async function waitForQuiet(system: System): Promise<void> {
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
function cpuMsPerRequest([load, cpu]: [LoadSummary, CpuUse], process: string): number {
  return ((cpu[process] ?? NaN) * load.durationS * 1000) / load.requestsTotal;
}

async function withCpu<T>(system: System, work: () => Promise<T>): Promise<[T, CpuUse]> {
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

function describeCpu(use: CpuUse): string {
  return `CPU cores used: ${Object.entries(use)
    .filter(([name, cores]) => name !== 'machine' && Number.isFinite(cores))
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(' · ')} · not ours ${foreignCores(use).toFixed(2)}`;
}

type ServerTimes = Record<string, { route: string; count: number; meanMs: number }[]>;

/** Runs `work` and reads, from both apps' /metrics, the mean time each route took inside the app meanwhile. */
async function withServerTimes<T>(system: System, work: () => Promise<T>): Promise<[T, ServerTimes]> {
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

function describeServerTimes(times: ServerTimes): string {
  const parts = Object.entries(times).flatMap(([app, rows]) =>
    rows.slice(0, 2).map((r) => `${app} ${r.route} ×${r.count} mean ${r.meanMs} ms`),
  );
  return `inside the apps: ${parts.join(' · ') || 'no /metrics'}`;
}

/** A measured load: first a quiet machine, then the load with its CPU accounted. */
async function measuredLoad<T>(system: System, work: () => Promise<T>): Promise<[T, CpuUse]> {
  await waitForQuiet(system);
  return withCpu(system, work);
}

// ----- the run ----------------------------------------------------------------------------

/** The figures every run measures but BENCH_ONLY=calendar: list, handlegooglecalendar, flows. */
interface CoreRound {
  listReference: LoadSummary;
  listApp: LoadSummary;
  listRatio: number;
  /** Both at the same fixed rate (LIST_FIXED_RATE_SHARE of this round's bare maximum). */
  listFixedRate: { rate: number; reference: LoadSummary; app: LoadSummary };
  /** CPU ms per list request at full load, from /proc. */
  listCpuPerRequestMs: { app: number; reference: number };
  connect: LoadSummary;
  connectMails: number;
  flows: Omit<FlowRound, 'samples'> & { samplesMs: number[] };
  cpu: { listReference: CpuUse; listApp: CpuUse; connect: CpuUse; flows: CpuUse };
  serverTimes: { listApp: ServerTimes; connect: ServerTimes };
}

/** The slot computation inside webhook-api during the availability load, from its histogram. */
interface ComputeTimes {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** % of the computations in the ≤ 5 ms bucket. */
  withinTargetPct: number;
  /**
   * What may hold a computation up midway, meanwhile: webhook-api's event loop runnable but
   * without a CPU (ms per second of the load), and its GC pauses by kind.
   */
  stalls: { runQueueWaitMsPerS: number; gc: Record<string, { count: number; ms: number }> };
  /** The round's bucket counts (not cumulative), for the results file. */
  buckets: Record<string, number>;
}

interface CalendarRound {
  availability: LoadSummary;
  compute: ComputeTimes;
  create: LoadSummary;
  /** Answers of the create load that were replays (should be none). */
  createReplays: Replays;
  /** Availability with one connection: the computation's and the route's times without queueing. */
  availabilitySingle: LoadSummary;
  computeSingle: ComputeTimes;
  /**
   * The group's availability, and the Google free/busy calls the sandbox saw per answered
   * request meanwhile (a little over GROUP_PARTICIPANTS: the requests still in flight when
   * the load stopped made theirs too).
   */
  groupAvailability: LoadSummary;
  groupFreeBusyPerRequest: number;
  /** Replays of a key created just before (its record the newest), the figure. */
  replay: LoadSummary;
  /** Answers of the replay loads that were fresh creates (should be none). */
  replayReplays: Replays;
  /** Replays of the seeded key (the oldest record), with REPLAY_CONNECTIONS and with one. */
  replayOldest: LoadSummary;
  replayOldestSingle: LoadSummary;
  cpu: { availability: CpuUse; groupAvailability: CpuUse; create: CpuUse; replay: CpuUse; replayOldest: CpuUse };
  serverTimes: {
    availability: ServerTimes;
    groupAvailability: ServerTimes;
    create: ServerTimes;
    replay: ServerTimes;
    replayOldest: ServerTimes;
  };
}

interface RoundResult {
  round: number;
  core?: CoreRound;
  calendar: CalendarRound;
  memory: { databaseApi: { rssMb: number; peakRssMb: number }; webhookApi: { rssMb: number; peakRssMb: number } };
}

function describeLoad(name: string, s: LoadSummary): string {
  return (
    `${name}: ${Math.round(s.rps)} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, ` +
    `${s.non2xx} non-2xx, ${s.errors} errors` +
    (Object.keys(s.statusCodes).some((c) => !c.startsWith('2')) ? ` (statuses ${JSON.stringify(s.statusCodes)})` : '')
  );
}

async function runCoreRound(roundNo: number, system: System, data: Dataset): Promise<CoreRound> {
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

  const mailsBefore = (await requireInfra().stats()).mails;
  const [[connect, connectServerTimes], connectCpu] = await measuredLoad(system, () =>
    withServerTimes(system, () => connectLoad(system, data, CONNECT_DURATION_S)),
  );
  await sleep(500); // let the last e-mails land before counting
  const connectMails = (await requireInfra().stats()).mails - mailsBefore;
  log(`  ${describeLoad('handlegooglecalendar    ', connect)}, ${connectMails} e-mails received`);
  log(`    ${describeCpu(connectCpu)}`);
  log(`    ${describeServerTimes(connectServerTimes)}`);

  const [flows, flowsCpu] = await measuredLoad(system, () => flowRound(system, FLOWS_PER_ROUND));
  log(
    `  OAuth flows: ${flows.samples.length} ok, ${flows.failures.length} failed; callback → visible p50 ${round(flows.p50Ms, 1)} ms, ` +
      `p99 ${round(flows.p99Ms, 1)} ms, max ${round(flows.maxMs, 1)} ms (callback itself p50 ${round(flows.callbackP50Ms, 1)} ms)`,
  );
  for (const failure of flows.failures.slice(0, 3)) log(`    flow failed: ${failure}`);
  log(`    ${describeCpu(flowsCpu)} (includes creating and deleting the round's connectors)`);

  const { samples, ...flowStats } = flows;
  return {
    listReference: listReference[0],
    listApp: listApp[0],
    listRatio: listApp[0].rps / listReference[0].rps,
    listFixedRate: { rate, reference: fixedReference, app: fixedApp },
    listCpuPerRequestMs,
    connect,
    connectMails,
    flows: { ...flowStats, samplesMs: samples.map((s) => round2(s.visibleMs)) },
    cpu: { listReference: listReference[1], listApp: listApp[1], connect: connectCpu, flows: flowsCpu },
    serverTimes: { listApp: listServerTimes, connect: connectServerTimes },
  };
}

interface StallSnapshot {
  atMs: number;
  runQueueWaitS: number;
  gc: Record<string, number>;
}

async function stallSnapshot(system: System): Promise<StallSnapshot> {
  const pid = system.webhookApi.pid;
  return {
    atMs: performance.now(),
    runQueueWaitS: pid === undefined ? Number.NaN : runQueueWaitSeconds(pid),
    gc: await scrapeGauges(system.webhookUrl, GC_SERIES),
  };
}

function stallsBetween(before: StallSnapshot, after: StallSnapshot): ComputeTimes['stalls'] {
  const gc: Record<string, { count: number; ms: number }> = {};
  for (const kind of GC_KINDS) {
    const delta = (series: string): number =>
      (after.gc[`nodejs_gc_duration_seconds_${series}{kind="${kind}"}`] ?? 0) -
      (before.gc[`nodejs_gc_duration_seconds_${series}{kind="${kind}"}`] ?? 0);
    gc[kind] = { count: delta('count'), ms: round(delta('sum') * 1000, 1) };
  }
  const wallS = (after.atMs - before.atMs) / 1000;
  return { runQueueWaitMsPerS: round(((after.runQueueWaitS - before.runQueueWaitS) * 1000) / wallS, 1), gc };
}

/** The histogram's round: what the availability load added to it. */
function computeTimes(
  before: Histogram | undefined,
  after: Histogram | undefined,
  stalls: ComputeTimes['stalls'],
): ComputeTimes {
  if (!after) throw new Error(`webhook-api's /metrics has no ${COMPUTE_HISTOGRAM} histogram`);
  const delta = histogramDelta(before, after);
  const buckets: Record<string, number> = {};
  let below = 0;
  for (const { le, count } of delta.buckets) {
    buckets[le === Infinity ? '+Inf' : `${round(le * 1000, 2)}ms`] = count - below;
    below = count;
  }
  return {
    count: delta.count,
    meanMs: delta.count > 0 ? round((delta.sumS / delta.count) * 1000, 3) : Number.NaN,
    p50Ms: round(histogramQuantile(delta, 0.5) * 1000, 3),
    p99Ms: round(histogramQuantile(delta, 0.99) * 1000, 3),
    withinTargetPct: round(shareAtOrBelow(delta, TARGETS.availabilityComputeP99Ms / 1000) * 100, 2),
    buckets,
    stalls,
  };
}

/** Google free/busy calls the sandbox has answered so far (the infra process counts them by kind). */
async function freeBusyCalls(): Promise<number> {
  const { sandboxCalls } = await requireInfra().stats();
  return sandboxCalls['freeBusy'] ?? 0;
}

function describeReplays(name: string, replays: Replays): string {
  return `${replays.replayed} of ${replays.replayed + replays.fresh} 201s were replays (${name})`;
}

async function runCalendarRound(roundNo: number, system: System, data: CalendarData): Promise<CalendarRound> {
  const availabilityWithCompute = async (connections: number, durationS: number) => {
    const before = await scrapeHistogram(system.webhookUrl, COMPUTE_HISTOGRAM);
    const stallsBefore = await stallSnapshot(system);
    const result = await withServerTimes(system, () => availabilityLoad(system, data, durationS, connections));
    const stalls = stallsBetween(stallsBefore, await stallSnapshot(system));
    const after = await scrapeHistogram(system.webhookUrl, COMPUTE_HISTOGRAM);
    return { result, compute: computeTimes(before, after, stalls) };
  };
  const describeCompute = (c: ComputeTimes): string =>
    `slot computation inside webhook-api: ×${c.count}, mean ${c.meanMs} ms, p50 ${c.p50Ms} ms, ` +
    `p99 ${c.p99Ms} ms (interpolated), ${c.withinTargetPct} % ≤ 5 ms; meanwhile its event loop waited for a CPU ` +
    `${c.stalls.runQueueWaitMsPerS} ms/s, GC ${GC_KINDS.map((k) => `${k} ×${c.stalls.gc[k]?.count ?? 0} ${c.stalls.gc[k]?.ms ?? 0} ms`).join(', ')}`;
  const [
    {
      result: [availability, availabilityServerTimes],
      compute,
    },
    availabilityCpu,
  ] = await measuredLoad(system, () => availabilityWithCompute(CALENDAR_CONNECTIONS, CALENDAR_DURATION_S));
  log(`  ${describeLoad('POST availability       ', availability)}`);
  log(`    ${describeCompute(compute)}`);
  log(`    ${describeCpu(availabilityCpu)}`);
  log(`    ${describeServerTimes(availabilityServerTimes)}`);
  await waitForQuiet(system);
  const {
    result: [availabilitySingle],
    compute: computeSingle,
  } = await availabilityWithCompute(1, SINGLE_CONNECTION_DURATION_S);
  log(`  ${describeLoad('the same, 1 connection  ', availabilitySingle)}`);
  log(`    ${describeCompute(computeSingle)}`);

  const freeBusyBefore = await freeBusyCalls();
  const [[groupAvailability, groupServerTimes], groupCpu] = await measuredLoad(system, () =>
    withServerTimes(system, () => groupAvailabilityLoad(system, data, CALENDAR_DURATION_S)),
  );
  const groupFreeBusyPerRequest = ((await freeBusyCalls()) - freeBusyBefore) / groupAvailability.requestsTotal;
  log(
    `  ${describeLoad('POST group availability ', groupAvailability)} (${GROUP_PARTICIPANTS} participants; ` +
      `${round(groupFreeBusyPerRequest, 2)} Google free/busy calls per answered request, those in flight at the end included)`,
  );
  log(`    ${describeCpu(groupCpu)}`);
  log(`    ${describeServerTimes(groupServerTimes)}`);

  const [[[create, createReplays], createServerTimes], createCpu] = await measuredLoad(system, () =>
    withServerTimes(system, () => createLoad(system, data, CALENDAR_DURATION_S)),
  );
  log(`  ${describeLoad('POST events, fresh keys ', create)}; ${describeReplays('should be 0', createReplays)}`);
  log(`    ${describeCpu(createCpu)}`);
  log(`    ${describeServerTimes(createServerTimes)}`);

  const replayReplays: Replays = { replayed: 0, fresh: 0 };
  const counted = ([summary, replays]: [LoadSummary, Replays]): LoadSummary => {
    replayReplays.replayed += replays.replayed;
    replayReplays.fresh += replays.fresh;
    return summary;
  };
  const newest = await firstCreate(system, data.eventsSubaccount, data.eventsToken, roundNo);
  const [[replay, replayServerTimes], replayCpu] = await measuredLoad(system, () =>
    withServerTimes(system, async () =>
      counted(await replayLoad(system, data, newest, CALENDAR_DURATION_S, REPLAY_CONNECTIONS)),
    ),
  );
  log(`  ${describeLoad('POST events, replays    ', replay)} (a key created just before)`);
  log(`    ${describeCpu(replayCpu)}`);
  log(`    ${describeServerTimes(replayServerTimes)}`);
  const [[replayOldest, replayOldestServerTimes], replayOldestCpu] = await measuredLoad(system, () =>
    withServerTimes(system, async () =>
      counted(await replayLoad(system, data, data.seededReplay, REPLAY_OLDEST_DURATION_S, REPLAY_CONNECTIONS)),
    ),
  );
  log(`  ${describeLoad('the same, oldest key    ', replayOldest)} (the key seeded before any create)`);
  log(`    ${describeCpu(replayOldestCpu)}`);
  log(`    ${describeServerTimes(replayOldestServerTimes)}`);
  await waitForQuiet(system);
  const replayOldestSingle = counted(
    await replayLoad(system, data, data.seededReplay, SINGLE_CONNECTION_DURATION_S, 1),
  );
  log(`  ${describeLoad('oldest key, 1 connection', replayOldestSingle)}`);
  log(`    ${describeReplays('should be all', replayReplays)}`);

  return {
    availability,
    compute,
    availabilitySingle,
    computeSingle,
    groupAvailability,
    groupFreeBusyPerRequest,
    create,
    createReplays,
    replay,
    replayReplays,
    replayOldest,
    replayOldestSingle,
    cpu: {
      availability: availabilityCpu,
      groupAvailability: groupCpu,
      create: createCpu,
      replay: replayCpu,
      replayOldest: replayOldestCpu,
    },
    serverTimes: {
      availability: availabilityServerTimes,
      groupAvailability: groupServerTimes,
      create: createServerTimes,
      replay: replayServerTimes,
      replayOldest: replayOldestServerTimes,
    },
  };
}

async function runRound(
  roundNo: number,
  system: System,
  data: Dataset | undefined,
  calendarData: CalendarData,
): Promise<RoundResult> {
  log(`round ${roundNo}/${ROUNDS}`);
  const core = data ? await runCoreRound(roundNo, system, data) : undefined;
  const calendar = await runCalendarRound(roundNo, system, calendarData);

  const memory = { databaseApi: processMemory(system.databaseApi), webhookApi: processMemory(system.webhookApi) };
  const [databaseHeap, webhookHeap] = await Promise.all([
    scrapeGauges(system.databaseUrl, HEAP_GAUGES),
    scrapeGauges(system.webhookUrl, HEAP_GAUGES),
  ]);
  log(
    `  RSS: database-api ${round(memory.databaseApi.rssMb, 1)} MB${heap(databaseHeap)}, ` +
      `webhook-api ${round(memory.webhookApi.rssMb, 1)} MB${heap(webhookHeap)}`,
  );
  return { round: roundNo, ...(core ? { core } : {}), calendar, memory };
}

function round2(value: number): number {
  return round(value, 2);
}

function requireInfra(): InfraProcess {
  if (!infra) throw new Error('infra-server is not running');
  return infra;
}

function buildFigures(rounds: RoundResult[], coldStarts: ColdStarts | undefined): Figure[] {
  const all = <T>(pick: (r: RoundResult) => T): T[] => rounds.map(pick);
  const core = rounds.flatMap((r) => (r.core ? [r.core] : []));
  return [
    ...(core.length > 0 ? coreFigures(core) : []),
    ...calendarFigures(rounds.map((r) => r.calendar)),
    figure(
      {
        id: 'rss.databaseApi',
        label: 'database-api resident memory (VmRSS) after each round',
        unit: 'MB',
        digits: 0,
        target: { op: '<=', value: TARGETS.rssMb },
        note: `peak ${Math.round(Math.max(...all((r) => r.memory.databaseApi.peakRssMb)))} MB`,
      },
      all((r) => r.memory.databaseApi.rssMb),
    ),
    figure(
      {
        id: 'rss.webhookApi',
        label: 'webhook-api resident memory (VmRSS) after each round',
        unit: 'MB',
        digits: 0,
        target: { op: '<=', value: TARGETS.rssMb },
        note: `peak ${Math.round(Math.max(...all((r) => r.memory.webhookApi.peakRssMb)))} MB`,
      },
      all((r) => r.memory.webhookApi.rssMb),
    ),
    ...(coldStarts ? coldStartFigures(coldStarts) : []),
  ];
}

function coldStartFigures(coldStarts: ColdStarts): Figure[] {
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

function coreFigures(rounds: CoreRound[]): Figure[] {
  const all = <T>(pick: (r: CoreRound) => T): T[] => rounds.map(pick);
  const ratio = all((r) => r.listRatio);
  const appRps = median(all((r) => r.listApp.rps));
  const refRps = median(all((r) => r.listReference.rps));
  const connectErrors = all((r) => r.connect.non2xx + r.connect.errors);
  const flowFailures = rounds.reduce((n, r) => n + r.flows.failures.length, 0);
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
    figure(
      {
        id: 'flow.p50',
        label: `${FLOWS_PER_ROUND} OAuth flows: callback answered → metadata visible, p50`,
        unit: 'ms',
        digits: 1,
        target: { op: '<=', value: TARGETS.flowP50Ms },
        ...(flowFailures > 0 ? { note: `${flowFailures} flows failed` } : {}),
      },
      all((r) => r.flows.p50Ms),
    ),
    figure(
      {
        id: 'flow.p99',
        label: 'the same: p99',
        unit: 'ms',
        digits: 1,
        target: { op: '<=', value: TARGETS.flowP99Ms },
        note: `max ${round(Math.max(...all((r) => r.flows.maxMs)), 1)} ms`,
      },
      all((r) => r.flows.p99Ms),
    ),
  ];
}

function calendarFigures(rounds: CalendarRound[]): Figure[] {
  const all = <T>(pick: (r: CalendarRound) => T): T[] => rounds.map(pick);
  const rps = (pick: (r: CalendarRound) => LoadSummary): string =>
    `${Math.round(median(all((r) => pick(r).rps)))} req/s, p50 ${median(all((r) => pick(r).latencyMs.p50))} ms`;
  // A create answered as a replay, or a replay answered as a fresh create, is as wrong as a 5xx.
  const errors = all(
    (r) =>
      r.availability.non2xx +
      r.availability.errors +
      r.groupAvailability.non2xx +
      r.groupAvailability.errors +
      r.create.non2xx +
      r.create.errors +
      r.createReplays.replayed +
      r.replay.non2xx +
      r.replay.errors +
      r.replayOldest.non2xx +
      r.replayOldest.errors +
      r.replayOldestSingle.non2xx +
      r.replayOldestSingle.errors +
      r.replayReplays.fresh,
  );
  return [
    figure(
      {
        id: 'availability.computeP99',
        label: `availability slot computation inside webhook-api (7 days, 3 calendars, ${BUSY_INTERVALS} busy times, Mon–Fri 09–17 Berlin, 30-min slots): p99`,
        unit: 'ms',
        digits: 2,
        target: { op: '<=', value: TARGETS.availabilityComputeP99Ms },
        note:
          `from \`${COMPUTE_HISTOGRAM}\`, interpolated in its bucket; p50 ${median(all((r) => r.compute.p50Ms))} ms, ` +
          `×${Math.round(median(all((r) => r.compute.count)))} per round; at 1 connection p99 ${median(all((r) => r.computeSingle.p99Ms))} ms`,
      },
      all((r) => r.compute.p99Ms),
    ),
    figure(
      {
        id: 'availability.computeWithin5ms',
        label: 'the same: share of computations in the ≤ 5 ms bucket',
        unit: '%',
        digits: 2,
        target: { op: '>=', value: TARGETS.availabilityComputeWithinPct },
      },
      all((r) => r.compute.withinTargetPct),
    ),
    figure(
      {
        id: 'availability.routeP99',
        label: `\`POST /api/connectors/:sub/google-calendar/availability\` (the same request), ${CALENDAR_CONNECTIONS} conn, ${CALENDAR_DURATION_S} s: p99 latency`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.availabilityRouteP99Ms },
        note: `${rps((r) => r.availability)}; at 1 connection p99 ${median(all((r) => r.availabilitySingle.latencyMs.p99))} ms`,
      },
      all((r) => r.availability.latencyMs.p99),
    ),
    figure(
      {
        id: 'groupAvailability.p99',
        label:
          `\`POST /api/google-calendar/availability\` for a group (${GROUP_PARTICIPANTS} subaccounts, each its own connection and Google account ` +
          `with ${GROUP_BUSY_PER_PARTICIPANT} busy times; the same week and rules, everyone free), ${GROUP_CONNECTIONS} conn, ${CALENDAR_DURATION_S} s: p99 latency`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.groupAvailabilityP99Ms },
        note: `${rps((r) => r.groupAvailability)}; one Google free/busy call per participant, the sandbox answering at once`,
      },
      all((r) => r.groupAvailability.latencyMs.p99),
    ),
    figure(
      {
        id: 'events.createP99',
        label: `\`POST …/google-calendar/events\` with a fresh \`Idempotency-Key\` and time each, ${CREATE_CONNECTIONS} conn, ${CALENDAR_DURATION_S} s: p99 latency`,
        unit: 'ms',
        digits: 0,
        target: null,
        note: rps((r) => r.create),
      },
      all((r) => r.create.latencyMs.p99),
    ),
    figure(
      {
        id: 'events.replayP99',
        label: `a create repeated right after its first (same key and body: \`Idempotent-Replayed: true\`), ${REPLAY_CONNECTIONS} conn, ${CALENDAR_DURATION_S} s: p99 latency`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: TARGETS.replayP99Ms },
        note:
          `${rps((r) => r.replay)}; the oldest key: p99 ${median(all((r) => r.replayOldest.latencyMs.p99))} ms, ` +
          `${Math.round(median(all((r) => r.replayOldest.rps)))} req/s; ` +
          `it at 1 connection: p99 ${median(all((r) => r.replayOldestSingle.latencyMs.p99))} ms`,
      },
      all((r) => r.replay.latencyMs.p99),
    ),
    figure(
      {
        id: 'calendar.errors',
        label: 'the calendar loads: errors (non-2xx, socket errors, a create replayed or a replay created)',
        unit: '',
        digits: 0,
        target: { op: '<=', value: TARGETS.calendarErrors },
      },
      errors,
    ),
  ];
}

/** How much other work shared the machine during the measured loads. */
function foreignSummary(rounds: RoundResult[]): string {
  const foreign = rounds.flatMap((r) =>
    [...Object.values(r.core?.cpu ?? {}), ...Object.values(r.calendar.cpu)].map(foreignCores),
  );
  return (
    `Other processes on the machine used ${median(foreign).toFixed(2)} cores (median over the measured loads; ` +
    `max ${Math.max(...foreign).toFixed(2)}) of ${availableParallelism()}.`
  );
}

function writeResults(
  machine: MachineInfo,
  figures: Figure[],
  rounds: RoundResult[],
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

/** BENCH_MONGODB_URI's server with the bench's databases emptied, or a fresh FerretDB. */
async function startDatabase(): Promise<string> {
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
  ferret = await startFerretDb();
  log(`FerretDB on ${ferret.uri} (data in ${ferret.dataDir})`);
  return ferret.uri;
}

async function main(): Promise<void> {
  if (only !== '' && !calendarOnly && !notificationsOnly && !drainOnly && !scaleOnly) {
    throw new Error(`BENCH_ONLY=${only}: the choices are BENCH_ONLY=calendar, notifications, drain and scale`);
  }
  const machine = machineInfo();
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}`);
  const benchStarted = performance.now();
  build();

  const [mongoUri, infraProcess] = await Promise.all([startDatabase(), InfraProcess.start(ROOT, START_TIMEOUT_MS)]);
  infra = infraProcess;
  log('Google sandbox and SMTP capture up');
  if (scaleOnly) {
    await scaleMain(machine, mongoUri, infraProcess, benchStarted);
    return;
  }
  if (notificationsOnly || drainOnly) {
    await notificationsMain(machine, mongoUri, infraProcess, benchStarted);
    return;
  }

  const system = await createSystem(mongoUri, infra.ready);
  let coldStarts: ColdStarts | undefined;
  let data: Dataset | undefined;
  if (calendarOnly) {
    log('BENCH_ONLY=calendar: only the calendar loads (no cold starts, list, connect or flows)');
    await started(system);
    log('both apps are up');
  } else {
    coldStarts = await measureColdStarts(system);
    await system.reference.start();
    log(`both apps and the bare reference are up`);
    data = await seed(system);
    await checkReferenceAgrees(system, data);
  }
  const calendarData = await seedCalendarWork(system);

  log(`warming up (${WARMUP_S} s per load${data ? `, ${WARMUP_FLOWS} flows` : ''})`);
  if (data) {
    await listLoad(system.referenceUrl, data, WARMUP_S);
    await listLoad(system.databaseUrl, data, WARMUP_S);
    await connectLoad(system, data, WARMUP_S);
    const warmupFlows = await flowRound(system, WARMUP_FLOWS);
    if (warmupFlows.failures.length > 0) throw new Error(`the connect flow fails: ${warmupFlows.failures[0] ?? ''}`);
  }
  await availabilityLoad(system, calendarData, WARMUP_S);
  await groupAvailabilityLoad(system, calendarData, WARMUP_S);
  await createLoad(system, calendarData, WARMUP_S);
  await replayLoad(system, calendarData, calendarData.seededReplay, WARMUP_S, REPLAY_CONNECTIONS);

  const rounds: RoundResult[] = [];
  for (let r = 1; r <= ROUNDS; r++) rounds.push(await runRound(r, system, data, calendarData));

  const figures = buildFigures(rounds, coldStarts);
  const table = resultsTable(figures);
  process.stdout.write(`\n${table}\n\n`);
  const totalS = Math.round((performance.now() - benchStarted) / 1000);
  const path = writeResults(machine, figures, rounds, { coldStarts, totalSeconds: totalS });
  log(`results written to ${path} (bench took ${totalS} s)`);
  if (!label && !diagnostics && !calendarOnly) {
    updateReadme(README, machine, figures, [
      foreignSummary(rounds),
      `Each figure is the median of ${ROUNDS} rounds (the rounds column lists them in order); full numbers in \`bench/results/latest.json\` of that run (not committed).`,
      `Load generator (autocannon), FerretDB, both apps and the reference share the same ${machine.cores} cores.`,
    ]);
    log('bench/README.md summary updated');
  }
  log(foreignSummary(rounds));
  logMissed(figures);
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
    newSubaccountId,
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
    newSubaccountId,
    otherPids: () => [infraProcess.pid],
  };
  const { figures, details } = await runScale(run);
  reportPart(machine, figures, { scale: details }, benchStarted);
}

/** A BENCH_ONLY part's end: its table, its results file, and the targets it missed. */
function reportPart(
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

function logMissed(figures: Figure[]): void {
  const missed = figures.filter((f) => f.pass === false).map((f) => f.id);
  log(missed.length === 0 ? 'every target met' : `targets missed: ${missed.join(', ')}`);
}

/** Both apps of a bench system, started. */
async function started(system: System): Promise<System> {
  await system.databaseApi.start();
  await system.webhookApi.start();
  return system;
}

/** A subaccount's connector added and its Google account consented through the flow, up to the callback's 200. */
async function connectThroughFlow(system: System, subaccountId: string, email: string): Promise<void> {
  await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
  await consentAndCallback(system, subaccountId, email);
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

function exitAfterCleanup(code: number): void {
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

main().then(
  () => exitAfterCleanup(0),
  (error: unknown) => {
    // After Ctrl-C the load's requests fail as the servers stop; that is not the news.
    if (interrupted) return;
    process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterCleanup(1);
  },
);
