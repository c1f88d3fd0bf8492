/**
 * The calendar work through database-api, each round: availability (and the slot computation
 * inside webhook-api, from its histogram), a group's availability, event creates with a fresh
 * Idempotency-Key each, and replays of a created key. The accounts are connected through the
 * flow and seeded at the sandbox over the infra process's IPC. Also alone: BENCH_ONLY=calendar.
 */
import { newSubaccountId } from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
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
import { connectFlow } from './flows';
import {
  CpuUse,
  GOOGLE_CALENDAR,
  ServerTimes,
  System,
  addConnector,
  calendarRoute,
  callJson,
  describeCpu,
  describeLoad,
  describeServerTimes,
  log,
  measuredLoad,
  requireInfra,
  userToken,
  waitForQuiet,
  withServerTimes,
} from './harness';
import type { SeedCalendars } from './infra-protocol';
import { LoadSummary, runLoad } from './load';
import { runQueueWaitSeconds } from './processes';
import { Figure, figure } from './report';
import {
  Histogram,
  histogramDelta,
  histogramQuantile,
  scrapeGauges,
  scrapeHistogram,
  shareAtOrBelow,
} from './server-timing';
import {
  CALENDAR_CONNECTIONS,
  CALENDAR_DURATION_S,
  CREATE_CONNECTIONS,
  GROUP_CONNECTIONS,
  REPLAY_CONNECTIONS,
  REPLAY_OLDEST_DURATION_S,
  SINGLE_CONNECTION_DURATION_S,
  TARGETS,
} from './settings';
import { median, round } from './stats';

/** webhook-api's histogram of the slot computation alone (no Google calls). */
const COMPUTE_HISTOGRAM = 'availability_compute_seconds';
/** prom-client's default GC histogram, by kind: what else can stop a computation midway. */
const GC_KINDS = ['minor', 'major', 'incremental'] as const;
const GC_SERIES = GC_KINDS.flatMap((kind) => [
  `nodejs_gc_duration_seconds_sum{kind="${kind}"}`,
  `nodejs_gc_duration_seconds_count{kind="${kind}"}`,
]);

/** The calendar loads' subaccounts, each connected to its own Google account at the sandbox. */
export interface CalendarData {
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
export interface GroupData {
  subaccountIds: string[];
  token: string;
  body: Record<string, unknown>;
}

/** A key and body created once (201), then repeated by a replay load. */
export interface ReplayTarget {
  key: string;
  body: Record<string, unknown>;
}

/** database-api's group availability route (the subaccounts are in the body). */
const GROUP_AVAILABILITY_PATH = '/api/google-calendar/availability';

/**
 * Two subaccounts with the connector, connected through the same OAuth flow the flow rounds
 * time; the availability one's account then gets its calendars and busy times at the sandbox
 * (over the infra process's IPC). Checks what the loads rely on: the slots avoid every busy
 * time, free/busy reads all three calendars, and a repeated create is a replay of the first.
 */
export async function seedCalendarWork(system: System): Promise<CalendarData> {
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

/** The availability request, over and over (one subaccount, one user, as the SPA's booking page asks it). */
export function availabilityLoad(
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
export function groupAvailabilityLoad(system: System, data: CalendarData, durationS: number): Promise<LoadSummary> {
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
export interface Replays {
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
export async function createLoad(
  system: System,
  data: CalendarData,
  durationS: number,
): Promise<[LoadSummary, Replays]> {
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
export async function replayLoad(
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

/** The slot computation inside webhook-api during the availability load, from its histogram. */
export interface ComputeTimes {
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

export interface CalendarRound {
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

export async function runCalendarRound(roundNo: number, system: System, data: CalendarData): Promise<CalendarRound> {
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

export function calendarFigures(rounds: CalendarRound[]): Figure[] {
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
