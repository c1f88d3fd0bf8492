/**
 * BENCH_ONLY=notifications (started by run.ts, which owns the build, FerretDB and the infra
 * process): the change-notification figures.
 *
 * (a) Push → platform: 50 connected accounts with push channels; the sandbox gets 20 changes
 *     a second spread over them (an event added to a primary calendar, over the infra IPC),
 *     pushes to webhook-api, which syncs and delivers to a platform receiver in this process.
 *     p50/p99 from webhook-api's `platform_webhook_delivery_latency_seconds` (push received →
 *     the platform's 2xx), and from outside (change made → receiver got it) as a cross-check.
 * (b) The periodic sync of idle connections: at 250 and at 1,000 connected accounts, over one
 *     CALENDAR_SYNC_INTERVAL_SECONDS, the Google calls (the sandbox's log), webhook-api's
 *     MongoDB commands (counted on the wire by a proxy between it and FerretDB), its calls to
 *     database-api and its CPU seconds.
 * (c) The drain after an outage: the platform answers 503 while 1,000 deliveries of one
 *     calendar are enqueued (one change each, made at the sandbox), then 204 again; the time
 *     per delivery of the last 100 that arrive against the first 100 (the cost of a delivery
 *     must not grow with the backlog). Also alone: BENCH_ONLY=drain.
 */
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AppProcess, newSubaccountId, scrapeSeries, seriesSum } from '@connector-service/testing';

import { CommandCounter } from './command-counter';
import type { InfraProcess } from './infra-client';
import type { SandboxCalls } from './infra-protocol';
import { cpuSeconds, sleep } from './processes';
import { Figure, figure } from './report';
import {
  Histogram,
  histogramDelta,
  histogramQuantile,
  routeMeans,
  scrapeHistogram,
  scrapeRouteTotals,
} from './server-timing';
import { median, percentile, round } from './stats';

// ---------------------------------------------------------------------------------------
const ROUNDS = 3;
const PUSH_CONNECTIONS = 50;
const CHANGES_PER_SECOND = 20;
const CHANGE_ROUND_S = 15;
const CHANGE_WARMUP_S = 3;
/** One round beside the figures at a rate FerretDB keeps up with: the latency without a queue. */
const LOW_CHANGES_PER_SECOND = 2;
const LOW_ROUND_S = 10;
/** After the last change of a round, how long its deliveries may take to arrive before they count as lost. */
const DELIVERY_WAIT_MS = 15_000;
/** The idle counts of (b), total connections (the 50 of (a) included). */
const IDLE_COUNTS = [250, 1000] as const;
/**
 * 1,000 connections at most 50 started a second need 20 s; 30 s leaves room (10 s would make
 * the 1,000 a backlog, not an interval).
 */
const SYNC_INTERVAL_S = 30;
const CONNECT_CONCURRENCY = 10;
const CONNECT_ATTEMPTS = 3;
/** Before (b): how long the deliveries (a) left behind may take to drain. */
const DRAIN_WAIT_MS = 180_000;
const BASELINE_WAIT_MS = 120_000;

/** (c): deliveries enqueued during the outage, and the first and last of them that are compared. */
const DRAIN_DELIVERIES = 1000;
const DRAIN_EDGE = 100;
/** How long one change may take to become a delivery before the next change is made anyway. */
const DRAIN_ENQUEUE_WAIT_MS = 10_000;
/** From the platform's return: the retry of the stream's head waits for its backoff (about the outage's length), then the drain. */
const DRAIN_TIMEOUT_MS = 20 * 60_000;

export const NOTIFICATION_TARGETS = {
  deliveryP50Ms: 150,
  deliveryP99Ms: 500,
  undelivered: 0,
  drainLastOverFirst: 1.5,
} as const;

const DELIVERY_HISTOGRAM = 'platform_webhook_delivery_latency_seconds';
/** Commands the driver sends by itself (monitoring, sessions, auth), apart from the app's own. */
const DRIVER_COMMANDS = new Set(['hello', 'ismaster', 'ping', 'endsessions', 'saslstart', 'saslcontinue', 'buildinfo']);
// ---------------------------------------------------------------------------------------

/** What run.ts's system gives this part (its System has more). */
export interface NotificationSystem {
  databaseApi: AppProcess;
  webhookApi: AppProcess;
  webhookPort: number;
  databaseUrl: string;
  webhookUrl: string;
}

/** run.ts's helpers this part needs. */
export interface NotificationsRun {
  log(message: string): void;
  infra: InfraProcess;
  mongoUri: string;
  /** webhook-api's own database on that server. */
  webhookMongoUri: string;
  startSystem(setup: {
    mongoUri?: string;
    env?: (webhookUrl: string) => Record<string, string>;
  }): Promise<NotificationSystem>;
  /** Adds the connector to a subaccount and connects it to the Google account `email` (the OAuth flow up to the callback's 200). */
  connect(system: NotificationSystem, subaccountId: string, email: string): Promise<void>;
  waitForQuiet(system: NotificationSystem): Promise<void>;
  cpuNow(system: NotificationSystem): Record<string, number>;
}

/**
 * Sets every stored next periodic sync to a random point of the next `intervalS` seconds (the
 * connections were made under a longer interval); answers how many.
 */
async function spreadNextSyncs(webhookMongoUri: string, intervalS: number): Promise<number> {
  const client = await MongoClient.connect(webhookMongoUri);
  try {
    const states = client.db().collection<{ _id: string }>('calendarsyncstates');
    const ids = await states.find({}, { projection: { _id: 1 } }).toArray();
    const now = Date.now();
    // One by one: FerretDB 1.24 never answered a bulkWrite of a few hundred updates here.
    for (const { _id } of ids) {
      await states.updateOne(
        { _id },
        { $set: { nextSyncAt: new Date(now + 5_000 + Math.random() * intervalS * 1000) } },
      );
    }
    return ids.length;
  } finally {
    await client.close();
  }
}

// ----- the platform ----------------------------------------------------------------------

/** The platform's webhook endpoint: verifies each delivery (Standard Webhooks), answers 204, notes when each change came. */
class PlatformReceiver {
  readonly url: string;
  readonly byType = new Map<string, number>();
  /** First arrival (performance.now()) per event summary. */
  readonly arrivals = new Map<string, number>();
  /** Every `calendar.events.changed` taken (answered 204), in arrival order. */
  readonly eventDeliveries: { at: number; googleCalendarId: string; sequence: number }[] = [];
  unverified = 0;
  duplicates = 0;
  /** While true the platform is down: every delivery is answered 503 (and counted). */
  down = false;
  refused = 0;

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly verifier: Webhook,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  }

  static async start(secret: string): Promise<PlatformReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new PlatformReceiver(server, new Webhook(secret));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => receiver.handle(req, res));
    return receiver;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: {
        type?: string;
        data?: { googleCalendarId?: string; sequence?: number; events?: { summary?: string }[] };
      };
      try {
        payload = this.verifier.verify(body, req.headers as Record<string, string>) as typeof payload;
      } catch {
        this.unverified += 1;
        res.writeHead(401).end();
        return;
      }
      if (this.down) {
        this.refused += 1;
        res.writeHead(503).end();
        return;
      }
      const type = payload.type ?? '?';
      this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
      if (type === 'calendar.events.changed') {
        this.eventDeliveries.push({
          at,
          googleCalendarId: payload.data?.googleCalendarId ?? '',
          sequence: payload.data?.sequence ?? Number.NaN,
        });
      }
      for (const event of payload.data?.events ?? []) {
        if (!event.summary) continue;
        if (this.arrivals.has(event.summary)) this.duplicates += 1;
        else this.arrivals.set(event.summary, at);
      }
      res.writeHead(204).end();
    });
  }

  deliveries(type: string): number {
    return this.byType.get(type) ?? 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ----- helpers ------------------------------------------------------------------------------

function diffCounts(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d > 0) delta.set(key, d);
  }
  return delta;
}

function describeCounts(counts: Map<string, number> | Record<string, number>): string {
  return [...(counts instanceof Map ? counts : new Map(Object.entries(counts)))]
    .sort((a, b) => b[1] - a[1])
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up waiting ${timeoutMs} ms for ${what}`);
    await sleep(250);
  }
}

const ms = (seconds: number): number => round(seconds * 1000, 1);

// ----- the part ----------------------------------------------------------------------------

interface ChangeRound {
  changesPerSecond: number;
  changes: number;
  delivered: number;
  undelivered: number;
  duplicates: number;
  /** From webhook-api's histogram: push received → platform 2xx. */
  histogramP50Ms: number;
  histogramP99Ms: number;
  histogramCount: number;
  histogramMeanMs: number;
  /** From outside: change made at the sandbox (IPC sent) → the receiver had it. */
  externalP50Ms: number;
  externalP99Ms: number;
  externalMaxMs: number;
  pushesAccepted: number;
  syncs: number;
  deliveries: number;
  webhookApiCores: number;
  ferretdbCores: number;
  /** webhook-api's MongoDB commands in the round, by name (driver monitoring included). */
  dbByCommand: Record<string, number>;
  googleByKind: SandboxCalls;
}

interface IdleMeasure {
  connections: number;
  intervalS: number;
  windowS: number;
  syncs: number;
  googleCalls: number;
  googleByKind: SandboxCalls;
  dbCommands: number;
  driverCommands: number;
  dbByCommand: Record<string, number>;
  databaseApiCalls: number;
  databaseApiByRoute: Record<string, number>;
  webhookApiCpuS: number;
  ferretdbCpuS: number;
  databaseApiCpuS: number;
  connectSeconds: number;
}

interface DrainMeasure {
  /** Deliveries of the calendar enqueued while the platform was down, and how many it then took. */
  enqueued: number;
  delivered: number;
  changes: number;
  enqueueS: number;
  /** Platform back → first delivery taken (the head's retry waits out its backoff). */
  firstAfterS: number;
  drainS: number;
  /** Mean time between two arrivals over the first and over the last DRAIN_EDGE deliveries. */
  firstMsPerDelivery: number;
  lastMsPerDelivery: number;
  lastOverFirst: number;
  /** Sequences arrived 1 apart, each once. */
  inOrder: boolean;
  refusedWhileDown: number;
  /** webhook-api's MongoDB commands from the first arrival to the last, per delivery (its other polls included). */
  dbCommandsPerDelivery: number;
}

/**
 * (c) The platform goes down, DRAIN_DELIVERIES changes of one calendar each become a
 * delivery (the next change is made once the last is stored, so there is one delivery per
 * change), the platform comes back, and the arrivals are timed.
 */
async function measureDrain(
  run: NotificationsRun,
  receiver: PlatformReceiver,
  counter: CommandCounter | undefined,
  email: string,
  runId: string,
): Promise<DrainMeasure> {
  const { log, infra } = run;
  // Directly, not through the counter: the bench's own reads are not webhook-api's.
  const client = await MongoClient.connect(run.webhookMongoUri);
  try {
    const pending = () => client.db().collection('deliveries').countDocuments({ status: 'pending' });
    const base = await pending();
    let enqueued = 0;
    let changes = 0;
    receiver.down = true;
    const refusedBefore = receiver.refused;
    log(`(c) platform down; ${DRAIN_DELIVERIES} changes of ${email}, one delivery each`);
    const enqueueStarted = performance.now();
    while (enqueued < DRAIN_DELIVERIES) {
      await infra.addEvent({ email, summary: `bench-drain-${runId}-${changes++}` });
      const deadline = performance.now() + DRAIN_ENQUEUE_WAIT_MS;
      const before = enqueued;
      // Not faster: on FerretDB each count reads the whole collection, and webhook-api needs it too.
      do {
        await sleep(50);
        enqueued = (await pending()) - base;
      } while (enqueued === before && performance.now() < deadline);
      if (enqueued === before) log(`  change ${changes} not stored as a delivery within ${DRAIN_ENQUEUE_WAIT_MS} ms`);
      if (changes % 250 === 0) log(`  ${changes} changes, ${enqueued} deliveries waiting`);
    }
    const enqueueS = (performance.now() - enqueueStarted) / 1000;
    const refusedWhileDown = receiver.refused - refusedBefore;
    const from = receiver.eventDeliveries.length;
    const ours = () => receiver.eventDeliveries.slice(from).filter((d) => d.googleCalendarId === email);
    receiver.down = false;
    const upAt = performance.now();
    log(
      `  ${enqueued} deliveries enqueued in ${enqueueS.toFixed(1)} s (${refusedWhileDown} attempts refused); platform up`,
    );
    // Counted from the first arrival: the wait for the head's backoff is not the drain's.
    const arrivedSince = (count: number) => () => Promise.resolve(ours().length >= count);
    await waitFor('the first delivery after the outage', DRAIN_TIMEOUT_MS, arrivedSince(1));
    const commandsBefore = counter?.snapshot() ?? new Map<string, number>();
    await waitFor(`the drain of ${enqueued} deliveries`, DRAIN_TIMEOUT_MS, arrivedSince(enqueued));
    const commands = diffCounts(commandsBefore, counter?.snapshot() ?? new Map<string, number>());
    const arrived = ours();
    const times = arrived.map((d) => d.at);
    const first = times[0] ?? Number.NaN;
    const last = times[times.length - 1] ?? Number.NaN;
    const perDelivery = (from: number) =>
      ((times[from + DRAIN_EDGE] ?? Number.NaN) - (times[from] ?? Number.NaN)) / DRAIN_EDGE;
    const firstMs = perDelivery(0);
    const lastMs = perDelivery(times.length - 1 - DRAIN_EDGE);
    const sequences = arrived.map((d) => d.sequence);
    const measure: DrainMeasure = {
      enqueued,
      delivered: arrived.length,
      changes,
      enqueueS: round(enqueueS, 1),
      firstAfterS: round((first - upAt) / 1000, 1),
      drainS: round((last - first) / 1000, 1),
      firstMsPerDelivery: round(firstMs, 1),
      lastMsPerDelivery: round(lastMs, 1),
      lastOverFirst: round(lastMs / firstMs, 2),
      inOrder: sequences.every((sequence, i) => i === 0 || sequence === (sequences[i - 1] as number) + 1),
      refusedWhileDown,
      dbCommandsPerDelivery: round(
        [...commands].filter(([name]) => !DRIVER_COMMANDS.has(name.toLowerCase())).reduce((a, [, n]) => a + n, 0) /
          arrived.length,
        1,
      ),
    };
    log(
      `  drained: ${measure.delivered} in ${measure.drainS} s (first ${measure.firstAfterS} s after the platform came back), ` +
        `in order: ${measure.inOrder}; per delivery: first ${DRAIN_EDGE} ${measure.firstMsPerDelivery} ms, ` +
        `last ${DRAIN_EDGE} ${measure.lastMsPerDelivery} ms (×${measure.lastOverFirst}); ` +
        `MongoDB ${measure.dbCommandsPerDelivery} commands per delivery (${describeCounts(commands)})`,
    );
    return measure;
  } finally {
    receiver.down = false;
    await client.close();
  }
}

function drainFigure(m: DrainMeasure): Figure {
  return figure(
    {
      id: 'notifications.drainLastOverFirst',
      label: `Drain of ${m.delivered.toLocaleString('en-US')} deliveries of one calendar after an outage: time per delivery of the last ${DRAIN_EDGE} ÷ the first ${DRAIN_EDGE}`,
      unit: '',
      digits: 2,
      target: { op: '<=', value: NOTIFICATION_TARGETS.drainLastOverFirst },
      note:
        `first ${DRAIN_EDGE} ${m.firstMsPerDelivery} ms, last ${DRAIN_EDGE} ${m.lastMsPerDelivery} ms per delivery; ` +
        `${m.drainS} s in all, ${m.inOrder ? 'in sequence order' : '**not in sequence order**'}; ` +
        `${m.dbCommandsPerDelivery} MongoDB commands per delivery`,
    },
    [m.lastOverFirst],
  );
}

export async function runNotifications(
  run: NotificationsRun,
  options: { drainOnly?: boolean } = {},
): Promise<{ figures: Figure[]; details: unknown }> {
  const { log, infra } = run;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await PlatformReceiver.start(secret);
  const counter = await CommandCounter.start(run.mongoUri);
  if (!counter) log('  the MongoDB URI is not a single host:port; database commands are not counted');
  const runId = randomBytes(3).toString('hex');
  try {
    const pushEnv = (webhookUrl: string): Record<string, string> => ({
      GOOGLE_PUSH_URL: `${webhookUrl}/api/google-calendar/notifications`,
      PLATFORM_WEBHOOK_URL: receiver.url,
      PLATFORM_WEBHOOK_SECRET: secret,
    });
    const system = await run.startSystem({
      ...(counter ? { mongoUri: counter.uri } : {}),
      env: (webhookUrl) => ({ ...pushEnv(webhookUrl), CALENDAR_SYNC_INTERVAL_SECONDS: '300' }),
    });
    log(`both apps are up (webhook-api with GOOGLE_PUSH_URL, PLATFORM_WEBHOOK_URL → ${receiver.url})`);

    const emails: string[] = [];
    const connectMore = async (target: number, current: NotificationSystem): Promise<number> => {
      const started = performance.now();
      const fresh = Array.from(
        { length: target - emails.length },
        (_, i) => `bench-push-${runId}-${emails.length + i}@example.com`,
      );
      let retried = 0;
      await inLanes(fresh, CONNECT_CONCURRENCY, async (email, i) => {
        // FerretDB behind on the (a) backlog can make a consent link time out (504): again, afresh.
        for (let attempt = 1; ; attempt++) {
          try {
            await run.connect(current, newSubaccountId(), email);
            break;
          } catch (error) {
            if (attempt >= CONNECT_ATTEMPTS) throw error;
            retried += 1;
            await sleep(1_000 * attempt);
          }
        }
        if ((i + 1) % 250 === 0) log(`  ${i + 1} of ${fresh.length} connected`);
      });
      if (retried > 0) log(`  ${retried} connect flows failed once and were made again`);
      emails.push(...fresh);
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${fresh.length} accounts connected in ${seconds.toFixed(1)} s (${CONNECT_CONCURRENCY} flows at once), ${emails.length} in all`,
      );
      return seconds;
    };

    const connectWatched = async (count: number): Promise<void> => {
      await connectMore(count, system);
      await waitFor(`${count} push channels and baselines`, BASELINE_WAIT_MS, async () => {
        const series = await scrapeSeries(system.webhookUrl);
        return (
          seriesSum(series, 'calendar_push_channels_open') >= count &&
          seriesSum(series, 'calendar_syncs_total', { kind: 'baseline' }) >= count
        );
      });
      log(`  ${count} channels open, baselines taken`);
    };
    const queueEmpty = async (): Promise<boolean> =>
      (await scrapeSeries(system.webhookUrl)).get('platform_webhook_queue_depth') === 0;

    if (options.drainOnly) {
      log('BENCH_ONLY=drain: one connection, the drain after an outage (c) only');
      await connectWatched(1);
      await waitFor('the status delivery of the connect', DRAIN_WAIT_MS, queueEmpty);
      const drain = await measureDrain(run, receiver, counter, emails[0] as string, runId);
      await system.webhookApi.stop();
      return { figures: [drainFigure(drain)], details: { drain } };
    }

    // ---- (a) push → platform
    log(`connecting ${PUSH_CONNECTIONS} accounts`);
    await connectWatched(PUSH_CONNECTIONS);

    let changeNo = 0;
    const madeAt = new Map<string, number>();
    const makeChanges = async (seconds: number, rate = CHANGES_PER_SECOND): Promise<string[]> => {
      const total = seconds * rate;
      const summaries: string[] = [];
      const adds: Promise<unknown>[] = [];
      const started = performance.now();
      for (let i = 0; i < total; i++) {
        const wait = started + (i * 1000) / rate - performance.now();
        if (wait > 0) await sleep(wait);
        const n = changeNo++;
        const summary = `bench-change-${runId}-${n}`;
        summaries.push(summary);
        madeAt.set(summary, performance.now());
        adds.push(infra.addEvent({ email: emails[n % PUSH_CONNECTIONS] as string, summary }));
      }
      await Promise.all(adds);
      return summaries;
    };
    const arrived = async (summaries: string[]): Promise<void> => {
      const deadline = performance.now() + DELIVERY_WAIT_MS;
      while (summaries.some((s) => !receiver.arrivals.has(s)) && performance.now() < deadline) await sleep(100);
    };

    log(`warming up: ${CHANGE_WARMUP_S} s of ${CHANGES_PER_SECOND} changes/s`);
    await arrived(await makeChanges(CHANGE_WARMUP_S));

    const changeRound = async (name: string, rate: number, seconds: number): Promise<ChangeRound> => {
      await run.waitForQuiet(system);
      const histogramBefore = await scrapeHistogram(system.webhookUrl, DELIVERY_HISTOGRAM);
      const seriesBefore = await scrapeSeries(system.webhookUrl);
      const cpuBefore = run.cpuNow(system);
      const commandsBefore = counter?.snapshot() ?? new Map<string, number>();
      const googleBefore = (await infra.stats()).sandboxCalls;
      const duplicatesBefore = receiver.duplicates;
      const deliveriesBefore = receiver.deliveries('calendar.events.changed');
      const wallStarted = performance.now();
      const summaries = await makeChanges(seconds, rate);
      await arrived(summaries);
      const wallS = (performance.now() - wallStarted) / 1000;
      const cpuAfter = run.cpuNow(system);
      const commands = diffCounts(commandsBefore, counter?.snapshot() ?? new Map<string, number>());
      const google = diffCounts(
        new Map(Object.entries(googleBefore)),
        new Map(Object.entries((await infra.stats()).sandboxCalls)),
      );
      const seriesAfter = await scrapeSeries(system.webhookUrl);
      const histogramAfter = await scrapeHistogram(system.webhookUrl, DELIVERY_HISTOGRAM);
      if (!histogramAfter) throw new Error(`webhook-api exposes no ${DELIVERY_HISTOGRAM} on /metrics`);
      const histogram: Histogram = histogramDelta(histogramBefore, histogramAfter);
      const external = summaries.flatMap((s) => {
        const got = receiver.arrivals.get(s);
        const made = madeAt.get(s);
        return got !== undefined && made !== undefined ? [got - made] : [];
      });
      const cores = (name: string): number =>
        round(((cpuAfter[name] ?? Number.NaN) - (cpuBefore[name] ?? Number.NaN)) / wallS, 2);
      const delta = (name: string, labels: Record<string, string> = {}): number =>
        seriesSum(seriesAfter, name, labels) - seriesSum(seriesBefore, name, labels);
      const result: ChangeRound = {
        changesPerSecond: rate,
        changes: summaries.length,
        delivered: external.length,
        undelivered: summaries.length - external.length,
        duplicates: receiver.duplicates - duplicatesBefore,
        histogramP50Ms: ms(histogramQuantile(histogram, 0.5)),
        histogramP99Ms: ms(histogramQuantile(histogram, 0.99)),
        histogramCount: histogram.count,
        histogramMeanMs: ms(histogram.count > 0 ? histogram.sumS / histogram.count : Number.NaN),
        externalP50Ms: round(percentile(external, 50), 1),
        externalP99Ms: round(percentile(external, 99), 1),
        externalMaxMs: round(Math.max(...external), 1),
        pushesAccepted: delta('calendar_push_notifications_total', { outcome: 'accepted' }),
        syncs: delta('calendar_syncs_total'),
        deliveries: receiver.deliveries('calendar.events.changed') - deliveriesBefore,
        webhookApiCores: cores('webhook-api'),
        ferretdbCores: cores('ferretdb'),
        dbByCommand: Object.fromEntries(commands),
        googleByKind: Object.fromEntries(google),
      };
      log(
        `${name}: ${result.changes} changes in ${seconds} s, ${result.delivered} delivered ` +
          `(${result.undelivered} not within ${DELIVERY_WAIT_MS / 1000} s, ${result.duplicates} twice) in ${result.deliveries} deliveries; ` +
          `histogram (${result.histogramCount}) p50 ${result.histogramP50Ms} ms p99 ${result.histogramP99Ms} ms mean ${result.histogramMeanMs} ms; ` +
          `outside p50 ${result.externalP50Ms} ms p99 ${result.externalP99Ms} ms max ${result.externalMaxMs} ms; ` +
          `${result.pushesAccepted} pushes accepted, ${result.syncs} syncs; cores: webhook-api ${result.webhookApiCores}, ferretdb ${result.ferretdbCores}; ` +
          `MongoDB: ${describeCounts(commands)}; Google: ${describeCounts(google)}`,
      );
      return result;
    };
    const lowRound = await changeRound(
      `beside the figures, ${LOW_CHANGES_PER_SECOND} changes/s`,
      LOW_CHANGES_PER_SECOND,
      LOW_ROUND_S,
    );
    const changeRounds: ChangeRound[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      changeRounds.push(await changeRound(`round ${r}/${ROUNDS}`, CHANGES_PER_SECOND, CHANGE_ROUND_S));
    }

    // ---- (b) the periodic sync of idle connections
    const drainStarted = performance.now();
    await waitFor('the platform deliveries of (a) to drain', DRAIN_WAIT_MS, queueEmpty);
    log(`deliveries of (a) drained ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after its last round`);

    // ---- (c) the drain after an outage, on one of (a)'s calendars
    const drain = await measureDrain(run, receiver, counter, emails[0] as string, runId);

    // Connections are made with the (a) process (a 300 s interval keeps periodic syncs out of the
    // connects' way); each count is measured by a webhook-api started with SYNC_INTERVAL_S, the
    // stored next syncs spread over that interval first, as if it had always been the interval.
    const withInterval = async (intervalS: number): Promise<AppProcess> => {
      const process = new AppProcess({
        ...system.webhookApi.options,
        env: { ...system.webhookApi.options.env, CALENDAR_SYNC_INTERVAL_SECONDS: String(intervalS) },
      });
      await process.start();
      return process;
    };
    let connecting = system.webhookApi;
    const idle: IdleMeasure[] = [];
    for (const count of IDLE_COUNTS) {
      log(`connecting up to ${count} accounts`);
      const connectingSystem: NotificationSystem = { ...system, webhookApi: connecting };
      const baselinesBefore = seriesSum(await scrapeSeries(system.webhookUrl), 'calendar_syncs_total', {
        kind: 'baseline',
      });
      const added = count - emails.length;
      const connectSeconds = await connectMore(count, connectingSystem);
      await waitFor(`${added} more baselines`, BASELINE_WAIT_MS, async () => {
        const series = await scrapeSeries(system.webhookUrl);
        return seriesSum(series, 'calendar_syncs_total', { kind: 'baseline' }) - baselinesBefore >= added;
      });
      // The connects' own work (metadata outbox, status deliveries, channels) out of the way.
      await waitFor('the status deliveries of the connects to drain', DRAIN_WAIT_MS, async () => {
        const series = await scrapeSeries(system.webhookUrl);
        return series.get('platform_webhook_queue_depth') === 0;
      });
      const open = seriesSum(await scrapeSeries(system.webhookUrl), 'calendar_push_channels_open');
      if (open !== count) log(`  ${open} push channels open (${count} connections asked)`);
      await connecting.stop();
      const spread = await spreadNextSyncs(run.webhookMongoUri, SYNC_INTERVAL_S);
      log(`  ${spread} next syncs spread over ${SYNC_INTERVAL_S} s; webhook-api restarted with that interval`);
      const idleWebhookApi = await withInterval(SYNC_INTERVAL_S);
      const idleSystem: NotificationSystem = { ...system, webhookApi: idleWebhookApi };
      await run.waitForQuiet(idleSystem);
      const take = async (): Promise<{
        series: Map<string, number>;
        google: SandboxCalls;
        commands: Map<string, number>;
        routes: Awaited<ReturnType<typeof scrapeRouteTotals>>;
        cpu: Record<string, number>;
        at: number;
      }> => ({
        series: await scrapeSeries(idleSystem.webhookUrl),
        google: (await infra.stats()).sandboxCalls,
        commands: counter?.snapshot() ?? new Map(),
        routes: await scrapeRouteTotals(idleSystem.databaseUrl),
        cpu: {
          'webhook-api': cpuSeconds(idleWebhookApi.pid ?? -1),
          ...run.cpuNow(idleSystem),
        },
        at: performance.now(),
      });
      log(`  measuring one interval (${SYNC_INTERVAL_S} s) at ${count} idle connections`);
      const before = await take();
      await sleep(SYNC_INTERVAL_S * 1000);
      const after = await take();
      const google = diffCounts(new Map(Object.entries(before.google)), new Map(Object.entries(after.google)));
      const commands = diffCounts(before.commands, after.commands);
      const driver = [...commands].filter(([name]) => DRIVER_COMMANDS.has(name.toLowerCase()));
      const routes = routeMeans(before.routes, after.routes).filter((r) => !r.route.includes('/metrics'));
      const cpu = (name: string): number =>
        round((after.cpu[name] ?? Number.NaN) - (before.cpu[name] ?? Number.NaN), 2);
      const measure: IdleMeasure = {
        connections: count,
        intervalS: SYNC_INTERVAL_S,
        windowS: round((after.at - before.at) / 1000, 1),
        syncs: seriesSum(after.series, 'calendar_syncs_total') - seriesSum(before.series, 'calendar_syncs_total'),
        googleCalls: [...google.values()].reduce((a, b) => a + b, 0),
        googleByKind: Object.fromEntries(google),
        dbCommands: [...commands]
          .filter(([name]) => !DRIVER_COMMANDS.has(name.toLowerCase()))
          .reduce((a, [, n]) => a + n, 0),
        driverCommands: driver.reduce((a, [, n]) => a + n, 0),
        dbByCommand: Object.fromEntries(commands),
        databaseApiCalls: routes.reduce((a, r) => a + r.count, 0),
        databaseApiByRoute: Object.fromEntries(routes.map((r) => [r.route, r.count])),
        webhookApiCpuS: cpu('webhook-api'),
        ferretdbCpuS: cpu('ferretdb'),
        databaseApiCpuS: cpu('database-api'),
        connectSeconds: round(connectSeconds, 1),
      };
      idle.push(measure);
      log(
        `  ${count} idle: ${measure.syncs} syncs; Google ${measure.googleCalls} (${describeCounts(google)}); ` +
          `MongoDB ${measure.dbCommands} commands (${describeCounts(commands)}); database-api ${measure.databaseApiCalls} calls; ` +
          `CPU s: webhook-api ${measure.webhookApiCpuS}, ferretdb ${measure.ferretdbCpuS}, database-api ${measure.databaseApiCpuS}`,
      );
      await idleWebhookApi.stop();
      connecting = await withInterval(300);
    }
    await connecting.stop();
    return {
      figures: [...notificationFigures(changeRounds, lowRound, idle, counter !== undefined), drainFigure(drain)],
      details: { lowRound, changeRounds, idle, drain },
    };
  } finally {
    await receiver.close();
    await counter?.close();
  }
}

function notificationFigures(
  rounds: ChangeRound[],
  low: ChangeRound,
  idle: IdleMeasure[],
  countedCommands: boolean,
): Figure[] {
  const all = (pick: (r: ChangeRound) => number): number[] => rounds.map(pick);
  const load = `${CHANGES_PER_SECOND} changes/s over ${PUSH_CONNECTIONS} connections`;
  const figures: Figure[] = [
    figure(
      {
        id: 'notifications.deliveryP50',
        label: `Push received → platform answered 2xx, p50 (webhook-api histogram; ${load})`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: NOTIFICATION_TARGETS.deliveryP50Ms },
        note: `mean ${median(all((r) => r.histogramMeanMs))} ms; buckets 25/50/75/100/150/200/300/500/750 ms, interpolated`,
      },
      all((r) => r.histogramP50Ms),
    ),
    figure(
      {
        id: 'notifications.deliveryP99',
        label: `Push received → platform answered 2xx, p99 (webhook-api histogram; ${load})`,
        unit: 'ms',
        digits: 0,
        target: { op: '<=', value: NOTIFICATION_TARGETS.deliveryP99Ms },
      },
      all((r) => r.histogramP99Ms),
    ),
    figure(
      {
        id: 'notifications.externalP50',
        label: 'Change made at the sandbox → platform had it, p50 (from outside, cross-check)',
        unit: 'ms',
        digits: 0,
        target: null,
      },
      all((r) => r.externalP50Ms),
    ),
    figure(
      {
        id: 'notifications.externalP99',
        label: 'Change made at the sandbox → platform had it, p99 (from outside, cross-check)',
        unit: 'ms',
        digits: 0,
        target: null,
        note: `max ${Math.max(...all((r) => r.externalMaxMs))} ms`,
      },
      all((r) => r.externalP99Ms),
    ),
    figure(
      {
        id: 'notifications.undelivered',
        label: `Changes not delivered within ${DELIVERY_WAIT_MS / 1000} s, per round`,
        unit: '',
        digits: 0,
        target: { op: '<=', value: NOTIFICATION_TARGETS.undelivered },
        note: `of ${median(all((r) => r.changes))} per round`,
      },
      all((r) => r.undelivered),
    ),
    figure(
      {
        id: 'notifications.lowRateP50',
        label: `Push received → platform answered 2xx, p50 at ${LOW_CHANGES_PER_SECOND} changes/s (one round, no queue)`,
        unit: 'ms',
        digits: 0,
        target: null,
        note: `p99 ${low.histogramP99Ms} ms; from outside p50 ${low.externalP50Ms} ms, p99 ${low.externalP99Ms} ms`,
      },
      [low.histogramP50Ms],
    ),
  ];
  for (const m of idle) {
    const per = (value: number): string => formatPer(value / m.connections);
    const of = `at ${m.connections.toLocaleString('en-US')} idle connections`;
    const one = (id: string, label: string, unit: string, digits: number, value: number, note: string): Figure =>
      figure({ id: `notifications.idle${m.connections}.${id}`, label, unit, digits, target: null, note }, [value]);
    figures.push(
      one(
        'syncs',
        `Periodic syncs per ${m.intervalS} s interval ${of}`,
        '',
        0,
        m.syncs,
        `${per(m.syncs)} per connection`,
      ),
      one(
        'googleCalls',
        `Google calls per interval ${of}`,
        '',
        0,
        m.googleCalls,
        `${per(m.googleCalls)} per connection; ${describeCounts(m.googleByKind) || 'none'}`,
      ),
      one(
        'dbCommands',
        `webhook-api MongoDB commands per interval ${of}`,
        '',
        0,
        countedCommands ? m.dbCommands : Number.NaN,
        `${per(m.dbCommands)} per connection; plus ${m.driverCommands} driver hello/ping; ` +
          `${m.databaseApiCalls} calls to database-api`,
      ),
      one(
        'cpu',
        `webhook-api CPU per interval ${of}`,
        's',
        2,
        m.webhookApiCpuS,
        `${formatPer((m.webhookApiCpuS * 1000) / m.connections)} ms per connection; ` +
          `${round((m.webhookApiCpuS / m.windowS) * 100, 1)}% of a core; FerretDB ${m.ferretdbCpuS} s`,
      ),
    );
  }
  return figures;
}

function formatPer(value: number): string {
  return Number.isFinite(value) ? String(round(value, 2)) : 'n/a';
}
