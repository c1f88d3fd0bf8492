/**
 * BENCH_ONLY=scale (started by run.ts, which owns the build and FerretDB): what keeping
 * calendars in sync costs, with a Google sandbox of its own in this process, whose request
 * log names the account of every Calendar call, so calls are counted per calendar.
 *
 * (a) Google calls per idle calendar-day with live push channels: IDLE_CALENDARS accounts
 *     connected through the real flow to a webhook-api with GOOGLE_PUSH_URL and a backstop of
 *     IDLE_BACKSTOP_S, the sandbox granting channels of IDLE_CHANNEL_LIFETIME_MS only. Every
 *     Calendar call for them over IDLE_WINDOW_S is counted per watched calendar (the calendar its
 *     path names; a channels.stop by its channel's calendar) and split into backstop listings and
 *     renewals (watch, stop, and any listing right after a watch), then scaled to a day at the
 *     production backstop (21,600 s) and Google's channel lifetime (7 days; renewed when a day
 *     is left, as renewalTime() in push-channels does). First with the primary calendar alone
 *     watched; then each of those connections watches WATCHED_PER_CONNECTION calendars (the
 *     primary and secondary ones added at the sandbox, chosen with database-api's PUT
 *     watched-calendars) and the same is counted again.
 * (b) SCALE_CALENDARS connections seeded straight into webhook-api's database (each its own
 *     Google account with a grant and a sync token at the sandbox; the documents cloned from a
 *     connection of (a), tokens sealed with webhook-api's key), polled every SCALE_INTERVAL_S
 *     (no GOOGLE_PUSH_URL), which keeps every replica backlogged: first by one webhook-api, then
 *     by three on the same database (with (a)'s connections, each watching its calendars). Per
 *     replica count: syncs per due sync (a calendar listed
 *     again less than half an interval after its previous listing was synced twice for one due
 *     time), syncs a second, webhook-api CPU per sync (/proc) and MongoDB commands per sync
 *     (counted on the wire by a proxy, as in bench/notifications.ts).
 */
import { MongoClient, ObjectId } from 'mongodb';
import { randomBytes } from 'node:crypto';
// The one definition of how webhook-api seals tokens at rest: seeded connections must open with its key.
import { TokenCipher } from '../apps/webhook-api/src/connections/token-cipher';
import { GoogleSandbox, SandboxRequestLog } from '@connector-service/google-sandbox';
import {
  AppProcess,
  WebhookReceiver,
  getFreePort,
  newSubaccountId,
  scrapeSeries,
  seriesSum,
} from '@connector-service/testing';

import { CommandCounter, ShapeTime, commandsBetween, shapeTimesBetween } from './command-counter';
import { childPidByName, cpuSeconds, machineBusySeconds, sleep } from './processes';
import { Figure, figure } from './report';
import { round } from './stats';

// ---------------------------------------------------------------------------------------
const IDLE_CALENDARS = 20;
/** Then each of (a)'s connections watches its primary calendar and this many minus one added to it. */
const WATCHED_PER_CONNECTION = 3;
/** How long the calendars just chosen may take to have their channels and baselines. */
const WATCH_WAIT_MS = 60_000;
const IDLE_BACKSTOP_S = 20;
/** Long against the backstop (renewal 30 s before expiry), so no backstop is cut short by a lapsing channel. */
const IDLE_CHANNEL_LIFETIME_MS = 120_000;
const IDLE_WINDOW_S = 120;
/** How long webhook-api's CPU is read with nothing to do (the cost of its polls, apart from the syncs). */
const IDLE_BASELINE_S = 10;
/** A listing this soon after a watch of the same calendar counts as part of the renewal. */
const RENEWAL_LISTING_MS = 3_000;
const PRODUCTION_BACKSTOP_S = 21_600;
const GOOGLE_CHANNEL_LIFETIME_S = 7 * 86_400;
const DAY_S = 86_400;

const SCALE_CALENDARS = Number(process.env['BENCH_SCALE_CALENDARS'] ?? 2000);
const SCALE_INTERVAL_S = 5;
const SCALE_REPLICAS = [1, 3] as const;
const SCALE_WARMUP_S = 10;
const SCALE_WINDOW_S = 30;
/**
 * Then Google slow: every listing answered after this long. Each replica syncs at most 8
 * calendars at once, so one replica is bound by Google's latency, not by the database, and
 * more replicas can add throughput here even on this machine's FerretDB.
 */
const SLOW_GOOGLE_MS = 3000;
/** Listings slowed (more than the slow phases make). */
const SLOWED_LISTINGS = 20_000;
/** The syncs' own Calendar budget would cap each replica at 10 syncs/s (600 a minute): measured without it. */
const UNCAPPED_BUDGET = '1000000';
const SEED_CONCURRENCY = 16;
const SEED_BATCH = 100;
const CONNECT_CONCURRENCY = 5;
const CONNECT_ATTEMPTS = 3;
const BASELINE_WAIT_MS = 120_000;

export const SCALE_TARGETS = {
  idleCallsPerDay: 5,
  /** 1.00 ± 0.02; by how it is measured it cannot be below 1. */
  syncsPerDueSync: 1.02,
} as const;

const CONNECTIONS = 'googlecalendarconnections';
const SYNC_STATES = 'calendarsyncstates';
const SYNC_METRIC = 'calendar_syncs_total';
const LATENESS = 'calendar_sync_lateness_seconds';
// ---------------------------------------------------------------------------------------

/** What run.ts's system gives this part. */
export interface ScaleSystem {
  databaseApi: AppProcess;
  webhookApi: AppProcess;
  databaseUrl: string;
  webhookUrl: string;
}

/** run.ts's helpers this part needs. */
export interface ScaleRun {
  log(message: string): void;
  /** The MongoDB server (FerretDB) of both apps. */
  mongoUri: string;
  /** webhook-api's database on it. */
  webhookMongoUri: string;
  /** Both apps, started, with `google` as their Google and webhook-api's MongoDB at `mongoUri`. */
  startSystem(setup: {
    google: GoogleSandbox;
    mongoUri: string;
    env: (webhookUrl: string) => Record<string, string>;
  }): Promise<ScaleSystem>;
  /** Adds the connector to a subaccount and connects it to the Google account `email` (the OAuth flow up to the callback's 200). */
  connect(system: ScaleSystem, subaccountId: string, email: string): Promise<void>;
  /** The subaccount's watched calendars chosen through database-api (its user's JWT); the answer's list. */
  setWatchedCalendars(
    system: ScaleSystem,
    subaccountId: string,
    googleCalendarIds: string[],
  ): Promise<{ googleCalendarId: string; status: string }[]>;
  /** Processes of the bench besides the apps and FerretDB (the infra process). */
  otherPids(): (number | undefined)[];
}

// ----- helpers ------------------------------------------------------------------------------

/** `GET …/calendars/<id>/events` (a listing) and `POST …/calendars/<id>/events/watch`, the id URI-encoded. */
const EVENTS_PATH = /^\/calendar\/v3\/calendars\/([^/]+)\/events(\/watch)?$/;
const isListing = (r: SandboxRequestLog): boolean => {
  const match = r.method === 'GET' ? EVENTS_PATH.exec(r.path) : null;
  return match !== null && match[2] === undefined;
};
const isWatch = (r: SandboxRequestLog): boolean => r.method === 'POST' && EVENTS_PATH.exec(r.path)?.[2] === '/watch';
const isStop = (r: SandboxRequestLog): boolean => r.path === '/calendar/v3/channels/stop';
const isCalendarCall = (r: SandboxRequestLog): boolean => r.path.startsWith('/calendar/v3/');

/** A calendar an account watches: the account and Google's id of the calendar (its e-mail for the primary). */
interface WatchedCalendar {
  email: string;
  calendarId: string;
}

/** One key per watched calendar, as Google matches ids (ignoring case). */
function calendarKey(email: string, calendarId: string): string {
  return `${email.toLowerCase()} ${calendarId.toLowerCase()}`;
}

/** The watched calendar a listing or watch names in its path (`primary` is the account's e-mail), if any. */
function pathCalendarKey(r: SandboxRequestLog): string | undefined {
  const encoded = EVENTS_PATH.exec(r.path)?.[1];
  if (encoded === undefined || r.account === undefined) return undefined;
  const calendarId = decodeURIComponent(encoded);
  return calendarKey(r.account, calendarId === 'primary' ? r.account : calendarId);
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

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

// ----- (a) idle calendars with live channels -----------------------------------------------------

/** Calls for some watched calendars over the window, and what they come to per calendar-day. */
interface IdleTally {
  calendars: number;
  listings: number;
  /** Listings within RENEWAL_LISTING_MS after a watch of the same calendar. */
  renewalListings: number;
  watches: number;
  stops: number;
  /** Backstops due in the window (calendars × window ÷ backstop) and channel renewals due (from the sandbox's channels). */
  dueBackstops: number;
  dueRenewals: number;
  listingsPerDueBackstop: number;
  callsPerDueRenewal: number;
  /** Scaled to a day at the production backstop and Google's channel lifetime, the other calls' share included. */
  callsPerDay: number;
}

interface IdleMeasure extends IdleTally {
  connections: number;
  windowS: number;
  backstopS: number;
  channelLifetimeS: number;
  /**
   * Calendar calls of these accounts that are no listing, watch or stop of a watched calendar
   * (`strayCalls` of them a listing, watch or stop of a calendar not watched, or of a channel
   * the sandbox does not know), shared evenly by the watched calendars.
   */
  otherCalendarCalls: number;
  strayCalls: number;
  /** Token refreshes at Google's token endpoint in the window (not Calendar calls). */
  tokenRefreshes: number;
  backstopsPerDay: number;
  renewalsPerDay: number;
  pushesAccepted: number;
  /** The same by kind of calendar (`primary`, `added`) when both are watched. */
  byKind: Record<string, IdleTally>;
  /** Watched calendars that had no live channel, or no baseline listing, when the count began. */
  notWatching: string[];
}

/** (a)'s accounts, each connected through the flow to a subaccount of its own: e-mail → subaccount id. */
async function connectIdle(run: ScaleRun, system: ScaleSystem, emails: string[]): Promise<Map<string, string>> {
  run.log(
    `(a) connecting ${emails.length} accounts through the flow (channels of ${IDLE_CHANNEL_LIFETIME_MS / 1000} s)`,
  );
  const subaccounts = new Map<string, string>();
  await inLanes(emails, CONNECT_CONCURRENCY, async (email) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const subaccountId = newSubaccountId();
        await run.connect(system, subaccountId, email);
        subaccounts.set(email, subaccountId);
        return;
      } catch (error) {
        if (attempt >= CONNECT_ATTEMPTS) throw error;
        await sleep(1000 * attempt);
      }
    }
  });
  return subaccounts;
}

/**
 * Adds WATCHED_PER_CONNECTION - 1 calendars to each account at the sandbox and has its
 * connection watch them beside its primary calendar; the calendars now watched.
 */
async function watchAddedCalendars(
  run: ScaleRun,
  google: GoogleSandbox,
  system: ScaleSystem,
  subaccounts: ReadonlyMap<string, string>,
): Promise<WatchedCalendar[]> {
  const watched: WatchedCalendar[] = [];
  await inLanes([...subaccounts], CONNECT_CONCURRENCY, async ([email, subaccountId]) => {
    const added = Array.from({ length: WATCHED_PER_CONNECTION - 1 }, (_, i) =>
      google.addCalendar(email, { summary: `Bench idle ${i + 1}` }),
    );
    const answer = await run.setWatchedCalendars(system, subaccountId, ['primary', ...added]);
    const calendarIds = [email, ...added];
    const answered = answer.map((calendar) => calendar.googleCalendarId.toLowerCase()).join();
    if (answered !== calendarIds.join().toLowerCase() || answer.some((calendar) => calendar.status !== 'active')) {
      throw new Error(`PUT watched-calendars of ${email} answered ${JSON.stringify(answer)}`);
    }
    watched.push(...calendarIds.map((calendarId) => ({ email, calendarId })));
  });
  return watched;
}

/**
 * Waits (up to `timeoutMs`) until every calendar has a live channel at the sandbox and a
 * listing Google answered 200 (its baseline). Gives back those still without either instead
 * of failing: the count that follows shows what they cost.
 */
async function waitForWatching(
  run: ScaleRun,
  google: GoogleSandbox,
  watched: readonly WatchedCalendar[],
  timeoutMs: number,
): Promise<string[]> {
  const started = performance.now();
  const missing = (): string[] => {
    const listed = new Set(google.requests.filter((r) => isListing(r) && r.status === 200).map(pathCalendarKey));
    return watched.flatMap(({ email, calendarId }) => {
      const live = google
        .channels(email)
        .some((channel) => channel.calendarId.toLowerCase() === calendarId.toLowerCase());
      const baseline = listed.has(calendarKey(email, calendarId));
      if (live && baseline) return [];
      return [
        `${calendarId} of ${email} (${[live ? '' : 'no live channel', baseline ? '' : 'no listing'].filter(Boolean).join(', ')})`,
      ];
    });
  };
  let left = missing();
  while (left.length > 0 && performance.now() - started < timeoutMs) {
    await sleep(250);
    left = missing();
  }
  const waitedS = ((performance.now() - started) / 1000).toFixed(1);
  if (left.length === 0) {
    run.log(`  every one of the ${watched.length} calendars has a live channel and its baseline (after ${waitedS} s)`);
  } else {
    run.log(
      `  after ${waitedS} s, ${left.length} of ${watched.length} calendars still lack a channel or baseline; counting anyway: ` +
        `${left.slice(0, 5).join('; ')}${left.length > 5 ? '; …' : ''}`,
    );
  }
  return left;
}

async function measureIdle(
  run: ScaleRun,
  google: GoogleSandbox,
  system: ScaleSystem,
  watched: readonly WatchedCalendar[],
  notWatching: string[],
): Promise<IdleMeasure> {
  const { log } = run;
  const accounts = new Set(watched.map((calendar) => calendar.email));
  const seriesBefore = await scrapeSeries(system.webhookUrl);
  const from = google.requests.length;
  const startedAt = Date.now();
  log(
    `  counting every Calendar call of ${accounts.size} accounts (${watched.length} watched calendars) for ${IDLE_WINDOW_S} s`,
  );
  await sleep(IDLE_WINDOW_S * 1000);
  const endedAt = Date.now();
  const seriesAfter = await scrapeSeries(system.webhookUrl);
  const windowS = (endedAt - startedAt) / 1000;
  const inWindow = google.requests.slice(from).filter((r) => r.at.getTime() < endedAt);
  const calls = inWindow.filter((r) => isCalendarCall(r) && accounts.has(r.account ?? ''));

  // Every channel these accounts ever opened: a stop names its channel, the channel its calendar.
  const channels = [...accounts].flatMap((email) => google.channels(email, { all: true }));
  const channelCalendar = new Map(
    channels.map((channel) => [channel.id, calendarKey(channel.email, channel.calendarId)]),
  );
  const watchedKeys = new Set(watched.map(({ email, calendarId }) => calendarKey(email, calendarId)));
  const byCalendar = new Map<string, SandboxRequestLog[]>();
  let classified = 0;
  let strayCalls = 0;
  for (const r of calls) {
    if (!isListing(r) && !isWatch(r) && !isStop(r)) continue;
    const key = isStop(r)
      ? channelCalendar.get(String((r.json as { id?: unknown } | undefined)?.id))
      : pathCalendarKey(r);
    if (key === undefined || !watchedKeys.has(key)) {
      strayCalls += 1;
      continue;
    }
    classified += 1;
    const own = byCalendar.get(key) ?? [];
    own.push(r);
    byCalendar.set(key, own);
  }
  const otherCalendarCalls = calls.length - classified;
  const otherPerCalendarDay = (otherCalendarCalls / (watched.length * windowS)) * DAY_S;

  const lifetimeMs = IDLE_CHANNEL_LIFETIME_MS;
  const backstopsPerDay = DAY_S / PRODUCTION_BACKSTOP_S;
  const renewalsPerDay = DAY_S / (GOOGLE_CHANNEL_LIFETIME_S - Math.min(GOOGLE_CHANNEL_LIFETIME_S / 4, DAY_S));
  const tally = (subset: readonly WatchedCalendar[]): IdleTally => {
    const keys = new Set(subset.map(({ email, calendarId }) => calendarKey(email, calendarId)));
    let listings = 0;
    let renewalListings = 0;
    let watches = 0;
    let stops = 0;
    for (const key of keys) {
      const own = byCalendar.get(key) ?? [];
      const ownWatches = own.filter(isWatch);
      const ownListings = own.filter(isListing);
      listings += ownListings.length;
      watches += ownWatches.length;
      stops += own.filter(isStop).length;
      renewalListings += ownListings.filter((l) =>
        ownWatches.some(
          (w) => l.at.getTime() >= w.at.getTime() && l.at.getTime() - w.at.getTime() < RENEWAL_LISTING_MS,
        ),
      ).length;
    }
    // Renewals due in the window: channels whose renewal time (a quarter of their life before expiry) fell in it.
    const dueRenewals = channels
      .filter((channel) => keys.has(calendarKey(channel.email, channel.calendarId)))
      .map((channel) => channel.expiration - Math.min(lifetimeMs / 4, DAY_S * 1000))
      .filter((due) => due >= startedAt && due < endedAt).length;
    const dueBackstops = (keys.size * windowS) / IDLE_BACKSTOP_S;
    const listingsPerDueBackstop = (listings - renewalListings) / dueBackstops;
    const callsPerDueRenewal = dueRenewals > 0 ? (watches + stops + renewalListings) / dueRenewals : Number.NaN;
    return {
      calendars: keys.size,
      listings,
      renewalListings,
      watches,
      stops,
      dueBackstops: round(dueBackstops, 1),
      dueRenewals,
      listingsPerDueBackstop: round(listingsPerDueBackstop, 3),
      callsPerDueRenewal: round(callsPerDueRenewal, 2),
      callsPerDay: round(
        listingsPerDueBackstop * backstopsPerDay + callsPerDueRenewal * renewalsPerDay + otherPerCalendarDay,
        2,
      ),
    };
  };
  const kinds = {
    primary: watched.filter((calendar) => calendar.calendarId.toLowerCase() === calendar.email.toLowerCase()),
    added: watched.filter((calendar) => calendar.calendarId.toLowerCase() !== calendar.email.toLowerCase()),
  };
  const byKind: Record<string, IdleTally> = {};
  if (kinds.primary.length > 0 && kinds.added.length > 0) {
    for (const [kind, subset] of Object.entries(kinds)) byKind[kind] = tally(subset);
  }
  const measure: IdleMeasure = {
    ...tally(watched),
    connections: accounts.size,
    windowS: round(windowS, 1),
    backstopS: IDLE_BACKSTOP_S,
    channelLifetimeS: lifetimeMs / 1000,
    otherCalendarCalls,
    strayCalls,
    tokenRefreshes: inWindow.filter((r) => r.path === '/token' && r.form?.['grant_type'] === 'refresh_token').length,
    backstopsPerDay,
    renewalsPerDay: round(renewalsPerDay, 3),
    pushesAccepted:
      seriesSum(seriesAfter, 'calendar_push_notifications_total', { outcome: 'accepted' }) -
      seriesSum(seriesBefore, 'calendar_push_notifications_total', { outcome: 'accepted' }),
    byKind,
    notWatching,
  };
  log(
    `  ${measure.calendars} idle calendars of ${measure.connections} connections, ${measure.windowS} s: ` +
      `${measure.listings} listings (${measure.renewalListings} right after a watch), ` +
      `${measure.watches} watches, ${measure.stops} stops, ${otherCalendarCalls} other Calendar calls (${strayCalls} of them naming no watched calendar), ` +
      `${measure.tokenRefreshes} token refreshes, ${measure.pushesAccepted} pushes accepted; ` +
      `${measure.listingsPerDueBackstop} listings per due backstop (${measure.dueBackstops} due), ` +
      `${measure.callsPerDueRenewal} calls per due renewal (${measure.dueRenewals} due) → ${measure.callsPerDay} Calendar calls per calendar-day ` +
      `at a ${PRODUCTION_BACKSTOP_S} s backstop and 7-day channels`,
  );
  for (const [kind, t] of Object.entries(byKind)) {
    log(
      `    ${kind} (${t.calendars}): ${t.listings} listings (${t.renewalListings} right after a watch), ${t.watches} watches, ${t.stops} stops; ` +
        `${t.listingsPerDueBackstop} per due backstop, ${t.callsPerDueRenewal} per due renewal (${t.dueRenewals} due) → ${t.callsPerDay} per calendar-day`,
    );
  }
  return measure;
}

// ----- (b) seeded connections, one and three replicas --------------------------------------------

interface SeededAccount {
  email: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  syncToken: string;
}

/**
 * A Google account at the sandbox with an offline grant (consent and code exchange, as our
 * connector would make them) and the sync token of a full listing of its primary calendar.
 */
async function grantAccount(google: GoogleSandbox, email: string, scopes: readonly string[]): Promise<SeededAccount> {
  const redirectUri = 'http://127.0.0.1:9/bench-seed';
  const consentUrl = new URL(google.endpoints.authUrl);
  for (const [key, value] of Object.entries({
    client_id: google.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scopes.join(' '),
    access_type: 'offline',
    prompt: 'consent',
    login_hint: email,
  }))
    consentUrl.searchParams.set(key, value);
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  await consent.arrayBuffer();
  const code = new URL(consent.headers.get('location') ?? 'http://invalid/').searchParams.get('code');
  if (!code) throw new Error(`the sandbox's consent for ${email} answered ${consent.status} without a code`);
  const exchanged = await fetch(google.endpoints.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: google.clientId,
      client_secret: google.clientSecret,
      redirect_uri: redirectUri,
    }).toString(),
  });
  const tokens = (await exchanged.json()) as { access_token?: string; refresh_token?: string; expires_in?: number };
  if (!tokens.access_token || !tokens.refresh_token) throw new Error(`no tokens for ${email} (${exchanged.status})`);
  const listing = await fetch(`${google.endpoints.apiRootUrl}calendar/v3/calendars/primary/events?maxResults=2500`, {
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });
  const page = (await listing.json()) as { nextSyncToken?: string };
  if (!page.nextSyncToken) throw new Error(`no sync token for ${email} (${listing.status})`);
  return {
    email,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: new Date(Date.now() + (tokens.expires_in ?? 3599) * 1000),
    syncToken: page.nextSyncToken,
  };
}

/** The scopes a connection made through the flow holds (what webhook-api asks Google for). */
async function scopesOf(run: ScaleRun, email: string): Promise<string[]> {
  const client = await MongoClient.connect(run.webhookMongoUri);
  try {
    const connection = await client.db().collection(CONNECTIONS).findOne({ googleEmail: email });
    return (connection?.['scopes'] as string[] | undefined) ?? [];
  } finally {
    await client.close();
  }
}

/** A sync state's id: the connection's and the calendar's, as webhook-api's watchKey() makes it. */
function syncStateId(calendarId: string, googleCalendarId: string): string {
  return `${calendarId}:${googleCalendarId}`;
}

/**
 * Connections and sync states for `accounts`, cloned from a connection (a) made through the
 * flow (so every field is what webhook-api writes, its outboxes done): each its own subaccount,
 * Google account and sealed tokens, watching its primary calendar alone, whose sync state is
 * due within the last interval.
 */
async function seedConnections(
  run: ScaleRun,
  templateEmail: string,
  accounts: SeededAccount[],
  tokenKey: string,
): Promise<void> {
  const cipher = new TokenCipher(tokenKey.split(','));
  const client = await MongoClient.connect(run.webhookMongoUri);
  try {
    const db = client.db();
    const template = await db.collection(CONNECTIONS).findOne({ googleEmail: templateEmail });
    const stateTemplate =
      template &&
      (await db
        .collection<{ _id: string }>(SYNC_STATES)
        .findOne({ _id: syncStateId(String(template['_id']), String(template['googleEmail'])) }));
    if (!template || !stateTemplate) throw new Error(`no connection and sync state of ${templateEmail} to clone`);
    const now = new Date();
    for (let start = 0; start < accounts.length; start += SEED_BATCH) {
      const batch = accounts.slice(start, start + SEED_BATCH).map((account) => ({ account, id: new ObjectId() }));
      await db.collection(CONNECTIONS).insertMany(
        batch.map(({ account, id }) => ({
          ...template,
          _id: id,
          subaccountId: randomBytes(12).toString('hex'),
          userEmail: account.email,
          googleEmail: account.email,
          googleUserId: `bench-${id.toString()}`,
          accessToken: cipher.encrypt(account.accessToken),
          refreshToken: cipher.encrypt(account.refreshToken),
          accessTokenExpiresAt: account.expiresAt,
          connectedAt: now,
          lastRefreshedAt: now,
          statusChanges: [],
          statusChangesDueAt: null,
          // The template watches (a)'s added calendars, which are not this account's.
          watchedCalendars: null,
          watchedAccountVersion: null,
          createdAt: now,
          updatedAt: now,
        })),
      );
      await db.collection<{ _id: string }>(SYNC_STATES).insertMany(
        batch.map(({ account, id }) => ({
          ...stateTemplate,
          _id: syncStateId(id.toString(), account.email),
          calendarId: id.toString(),
          googleCalendarId: account.email,
          syncToken: account.syncToken,
          syncRequestedAt: null,
          lastSyncedAt: now,
          nextSyncAt: new Date(now.getTime() - Math.random() * SCALE_INTERVAL_S * 1000),
          failures: 0,
          lastError: null,
        })),
      );
    }
  } finally {
    await client.close();
  }
}

interface ReplicaMeasure {
  replicas: number;
  calendars: number;
  /** Google's added latency per listing (0: as fast as the sandbox answers). */
  googleLatencyMs: number;
  windowS: number;
  /** Listings Google saw in the window, and those of a calendar less than half an interval after its previous one. */
  listings: number;
  doubleListings: number;
  syncsPerDueSync: number;
  syncsPerSecond: number;
  /** Successful syncs by the replicas' metrics, each replica's share, and outcomes other than ok. */
  metricSyncs: number;
  perReplica: number[];
  otherOutcomes: Record<string, number>;
  meanLatenessS: number;
  /** Mean time between two listings of one calendar (the backlog's cycle). */
  meanCycleS: number;
  webhookApiCpuS: number;
  cpuMsPerSync: number;
  webhookApiCores: number;
  ferretdbCpuMsPerSync: number;
  ferretdbCores: number;
  dbCommands: number;
  dbCommandsPerSync: number;
  dbByCommand: Record<string, number>;
  /** The database's time by command shape (from request to answer, at the proxy), the longest first. */
  dbTimeByShape: { shape: string; count: number; ms: number; meanMs: number }[];
  driverCommands: number;
  /** Cores other processes on the machine used meanwhile. */
  foreignCores: number;
}

/** What one webhook-api spends with nothing due (its polls and timers): CPU ms and MongoDB commands a second. */
interface FixedCost {
  cpuMsPerS: number;
  commandsPerS: number;
}

async function fixedCost(app: AppProcess, counter: CommandCounter | undefined): Promise<FixedCost> {
  await sleep(2_000);
  const cpuBefore = cpuSeconds(app.pid ?? -1);
  const commandsBefore = counter?.snapshot() ?? new Map<string, number>();
  await sleep(IDLE_BASELINE_S * 1000);
  const commands = commandsBetween(commandsBefore, counter?.snapshot() ?? new Map<string, number>());
  return {
    cpuMsPerS: round(((cpuSeconds(app.pid ?? -1) - cpuBefore) * 1000) / IDLE_BASELINE_S, 1),
    commandsPerS: counter ? round(commands.app / IDLE_BASELINE_S, 1) : Number.NaN,
  };
}

/** Consumes the sandbox's request log as it grows: each calendar's last listing, and what fell in a window. */
class ListingTracker {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly google: GoogleSandbox,
    private readonly accounts: ReadonlySet<string>,
    private readonly doubleBelowMs: number,
  ) {}

  /** Reads every request logged so far (then drops them from the log); counts those from `from` on, per calendar. */
  take(from: number): { listings: number; doubles: number; gaps: number[] } {
    let listings = 0;
    let doubles = 0;
    const gaps: number[] = [];
    for (const r of this.google.requests) {
      const key = isListing(r) && this.accounts.has(r.account ?? '') ? pathCalendarKey(r) : undefined;
      if (key === undefined) continue;
      const at = r.at.getTime();
      const previous = this.last.get(key);
      this.last.set(key, at);
      if (at < from) continue;
      listings += 1;
      if (previous === undefined) continue;
      gaps.push(at - previous);
      if (at - previous < this.doubleBelowMs) doubles += 1;
    }
    this.google.requests.splice(0);
    return { listings, doubles, gaps };
  }
}

async function measureReplicas(
  run: ScaleRun,
  replicas: AppProcess[],
  system: ScaleSystem,
  counter: CommandCounter | undefined,
  tracker: ListingTracker,
  calendars: number,
  googleLatencyMs: number,
): Promise<ReplicaMeasure> {
  const ferret = childPidByName('ferretdb');
  const others = (): number =>
    [system.databaseApi.pid, ...run.otherPids()].reduce<number>(
      (sum, pid) => sum + (pid === undefined ? 0 : cpuSeconds(pid) || 0),
      0,
    );
  const take = async () => ({
    series: await Promise.all(replicas.map((replica) => scrapeSeries(replica.url))),
    cpu: replicas.map((replica) => cpuSeconds(replica.pid ?? -1)),
    ferret: ferret === undefined ? Number.NaN : cpuSeconds(ferret),
    others: others() + (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineBusySeconds(),
    commands: counter?.snapshot() ?? new Map<string, number>(),
    shapes: counter?.shapeSnapshot() ?? new Map<string, ShapeTime>(),
  });
  await sleep(SCALE_WARMUP_S * 1000);
  const startedAt = Date.now();
  tracker.take(Number.POSITIVE_INFINITY); // the warm-up's listings: only each calendar's last
  const before = await take();
  await sleep(SCALE_WINDOW_S * 1000);
  const after = await take();
  const windowS = (Date.now() - startedAt) / 1000;
  const seen = tracker.take(startedAt);

  const perReplica = replicas.map(
    (_, i) =>
      seriesSum(after.series[i] as Map<string, number>, SYNC_METRIC, { outcome: 'ok' }) -
      seriesSum(before.series[i] as Map<string, number>, SYNC_METRIC, { outcome: 'ok' }),
  );
  const otherOutcomes: Record<string, number> = {};
  for (const outcome of ['failed', 'superseded', 'claim_lost', 'ended']) {
    const n = replicas.reduce(
      (sum, _, i) =>
        sum +
        seriesSum(after.series[i] as Map<string, number>, SYNC_METRIC, { outcome }) -
        seriesSum(before.series[i] as Map<string, number>, SYNC_METRIC, { outcome }),
      0,
    );
    if (n > 0) otherOutcomes[outcome] = n;
  }
  const sumOf = (name: string, which: 'before' | 'after'): number =>
    (which === 'before' ? before : after).series.reduce((sum, series) => sum + seriesSum(series, name), 0);
  const latenessCount = sumOf(`${LATENESS}_count`, 'after') - sumOf(`${LATENESS}_count`, 'before');
  const latenessSum = sumOf(`${LATENESS}_sum`, 'after') - sumOf(`${LATENESS}_sum`, 'before');
  const webhookApiCpuS = after.cpu.reduce((sum, s, i) => sum + s - (before.cpu[i] as number), 0);
  const ferretCpuS = after.ferret - before.ferret;
  const commands = commandsBetween(before.commands, after.commands);
  const shapes = shapeTimesBetween(before.shapes, after.shapes);
  const syncs = seen.listings;
  const ours = webhookApiCpuS + ferretCpuS + (after.others - before.others);
  const measure: ReplicaMeasure = {
    replicas: replicas.length,
    calendars,
    googleLatencyMs,
    windowS: round(windowS, 1),
    listings: seen.listings,
    doubleListings: seen.doubles,
    syncsPerDueSync: round(seen.listings / (seen.listings - seen.doubles), 3),
    syncsPerSecond: round(syncs / windowS, 1),
    metricSyncs: perReplica.reduce((a, b) => a + b, 0),
    perReplica,
    otherOutcomes,
    meanLatenessS: round(latenessCount > 0 ? latenessSum / latenessCount : Number.NaN, 1),
    meanCycleS: round(seen.gaps.reduce((a, b) => a + b, 0) / seen.gaps.length / 1000, 1),
    webhookApiCpuS: round(webhookApiCpuS, 2),
    cpuMsPerSync: round((webhookApiCpuS * 1000) / syncs, 2),
    webhookApiCores: round(webhookApiCpuS / windowS, 2),
    ferretdbCpuMsPerSync: round((ferretCpuS * 1000) / syncs, 1),
    ferretdbCores: round(ferretCpuS / windowS, 2),
    dbCommands: counter ? commands.app : Number.NaN,
    dbCommandsPerSync: counter ? round(commands.app / syncs, 2) : Number.NaN,
    dbByCommand: commands.byName,
    dbTimeByShape: shapes,
    driverCommands: commands.driver,
    foreignCores: round(Math.max(0, (after.machine - before.machine - ours) / windowS), 2),
  };
  run.log(
    `  ${measure.replicas} replica(s), ${calendars} calendars every ${SCALE_INTERVAL_S} s` +
      `${googleLatencyMs > 0 ? `, Google answering each listing after ${googleLatencyMs} ms` : ''}, ${measure.windowS} s: ` +
      `${measure.listings} listings (${measure.doubleListings} within ${SCALE_INTERVAL_S / 2} s of the calendar's previous) = ` +
      `${measure.syncsPerSecond} syncs/s, ${measure.syncsPerDueSync} per due sync; replicas counted ${perReplica.join(' + ')} ok` +
      `${Object.keys(otherOutcomes).length > 0 ? ` and ${describeCounts(otherOutcomes)}` : ''}; ` +
      `a round of all calendars takes ${Math.round(calendars / measure.syncsPerSecond)} s; ` +
      `webhook-api ${measure.cpuMsPerSync} ms CPU per sync (${measure.webhookApiCores} cores), ` +
      `FerretDB ${measure.ferretdbCpuMsPerSync} ms per sync (${measure.ferretdbCores} cores), others ${measure.foreignCores} cores; ` +
      `MongoDB ${measure.dbCommandsPerSync} commands per sync (${describeCounts(commands.byName)}); ` +
      `the database's time by command: ${shapes
        .slice(0, 8)
        .map((row) => `${row.shape} ${row.count} × ${row.meanMs} ms`)
        .join(', ')}`,
  );
  return measure;
}

// ----- the part ----------------------------------------------------------------------------------

export async function runScale(run: ScaleRun): Promise<{ figures: Figure[]; details: unknown }> {
  const { log } = run;
  const runId = randomBytes(3).toString('hex');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const google = await GoogleSandbox.start({ autoConsent: true });
  const receiver = await WebhookReceiver.start(secret);
  const counter = await CommandCounter.start(run.mongoUri, { byCollection: true, byShape: true });
  if (!counter) log('  the MongoDB URI is not a single host:port; database commands are not counted');
  const replicas: AppProcess[] = [];
  try {
    google.setChannelLifetimeMs(IDLE_CHANNEL_LIFETIME_MS);
    const system = await run.startSystem({
      google,
      mongoUri: counter?.uri ?? run.mongoUri,
      env: (webhookUrl) => ({
        GOOGLE_PUSH_URL: `${webhookUrl}/api/google-calendar/notifications`,
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        // A channel's life is short here; the backstop applies while more than an interval of it is left.
        CALENDAR_SYNC_INTERVAL_SECONDS: String(SCALE_INTERVAL_S),
        CALENDAR_BACKSTOP_INTERVAL_SECONDS: String(IDLE_BACKSTOP_S),
      }),
    });
    log('both apps are up (webhook-api with GOOGLE_PUSH_URL, the sandbox of this process)');
    const fixed = await fixedCost(system.webhookApi, counter);
    log(
      `  webhook-api with nothing to do: ${fixed.cpuMsPerS} ms CPU and ${fixed.commandsPerS} MongoDB commands a second (its polls)`,
    );

    const idleEmails = Array.from({ length: IDLE_CALENDARS }, (_, i) => `bench-idle-${runId}-${i}@example.com`);
    const subaccounts = await connectIdle(run, system, idleEmails);
    const primaries = idleEmails.map((email) => ({ email, calendarId: email }));
    const idle = await measureIdle(
      run,
      google,
      system,
      primaries,
      await waitForWatching(run, google, primaries, BASELINE_WAIT_MS),
    );
    log(
      `(a) each connection now watches ${WATCHED_PER_CONNECTION} calendars: its primary and ${WATCHED_PER_CONNECTION - 1} added at the sandbox (PUT watched-calendars)`,
    );
    const watched = await watchAddedCalendars(run, google, system, subaccounts);
    const idleWatched = await measureIdle(
      run,
      google,
      system,
      watched,
      await waitForWatching(run, google, watched, WATCH_WAIT_MS),
    );

    // ---- (b)
    const base = system.webhookApi.options;
    await system.webhookApi.stop();
    const scaleEmails = Array.from({ length: SCALE_CALENDARS }, (_, i) => `bench-scale-${runId}-${i}@example.com`);
    const granting = performance.now();
    const scopes = await scopesOf(run, idleEmails[0] as string);
    const seeded: SeededAccount[] = [];
    await inLanes(scaleEmails, SEED_CONCURRENCY, async (email) => {
      seeded.push(await grantAccount(google, email, scopes));
    });
    log(
      `(b) ${seeded.length} Google accounts granted and listed at the sandbox in ${((performance.now() - granting) / 1000).toFixed(1)} s`,
    );
    const started = performance.now();
    await seedConnections(run, idleEmails[0] as string, seeded, base.env['TOKEN_ENCRYPTION_KEY'] ?? '');
    const calendars = SCALE_CALENDARS + watched.length;
    log(
      `  ${SCALE_CALENDARS} connections and sync states seeded in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(${calendars} watched calendars in all with (a)'s ${watched.length}); polled every ${SCALE_INTERVAL_S} s, no GOOGLE_PUSH_URL`,
    );
    const { GOOGLE_PUSH_URL: _push, ...polling } = base.env;
    const env = {
      ...polling,
      CALENDAR_SYNC_INTERVAL_SECONDS: String(SCALE_INTERVAL_S),
      GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE: UNCAPPED_BUDGET,
    };
    google.requests.splice(0); // (a)'s calls and the seeding's listings: not syncs of (b)
    const tracker = new ListingTracker(google, new Set([...scaleEmails, ...idleEmails]), (SCALE_INTERVAL_S * 1000) / 2);
    const scale: ReplicaMeasure[] = [];
    for (const googleLatencyMs of [0, SLOW_GOOGLE_MS]) {
      if (googleLatencyMs > 0) {
        while (replicas.length > 1) await replicas.pop()?.stop();
        google.failApiRequests(
          SLOWED_LISTINGS,
          { kind: 'hang', ms: googleLatencyMs },
          { method: 'GET', path: /\/events$/ },
        );
        log(`(c) Google slow: each listing answered after ${googleLatencyMs} ms`);
      }
      for (const count of SCALE_REPLICAS) {
        while (replicas.length < count) {
          const replica = new AppProcess({
            ...base,
            env,
            port: replicas.length === 0 ? base.port : await getFreePort(),
          });
          await replica.start();
          replicas.push(replica);
        }
        log(`  ${count} webhook-api replica(s) running; ${SCALE_WARMUP_S} s warm-up, then ${SCALE_WINDOW_S} s counted`);
        scale.push(await measureReplicas(run, replicas, system, counter, tracker, calendars, googleLatencyMs));
      }
    }
    google.clearApiFailures();
    return {
      figures: scaleFigures(idle, idleWatched, scale, fixed),
      details: { fixed, idle, idleWatched, scale },
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await receiver.close();
    await counter?.close();
    await google.stop();
  }
}

function scaleFigures(
  idle: IdleMeasure,
  idleWatched: IdleMeasure,
  scale: ReplicaMeasure[],
  fixed: FixedCost,
): Figure[] {
  const notWatching = (m: IdleMeasure): string =>
    m.notWatching.length > 0
      ? `; ${m.notWatching.length} calendars without a live channel or baseline when the count began`
      : '';
  const figures: Figure[] = [
    figure(
      {
        id: 'scale.idleCallsPerDay',
        label: `Calendar API calls per idle calendar-day with a live channel (measured: ${idle.calendars} calendars, ${idle.windowS} s, backstop ${idle.backstopS} s, channels of ${idle.channelLifetimeS} s; scaled to a ${PRODUCTION_BACKSTOP_S.toLocaleString('en-US')} s backstop and 7-day channels)`,
        unit: '',
        digits: 2,
        target: { op: '<=', value: SCALE_TARGETS.idleCallsPerDay },
        note:
          `${idle.listingsPerDueBackstop} listings per due backstop × ${idle.backstopsPerDay} + ` +
          `${idle.callsPerDueRenewal} calls per due renewal × ${idle.renewalsPerDay}; ` +
          `${idle.listings} listings, ${idle.watches} watches, ${idle.stops} stops, ${idle.otherCalendarCalls} other; ` +
          `plus one token refresh per backstop sync and renewal (1-hour access tokens), not counted${notWatching(idle)}`,
      },
      [idle.callsPerDay],
    ),
    figure(
      {
        id: 'scale.idleCallsPerDay.watched',
        label: `Calendar API calls per idle watched calendar-day, ${WATCHED_PER_CONNECTION} watched calendars per connection (measured: ${idleWatched.connections} connections × ${WATCHED_PER_CONNECTION} calendars, ${idleWatched.windowS} s, backstop ${idleWatched.backstopS} s, channels of ${idleWatched.channelLifetimeS} s; scaled as above)`,
        unit: '',
        digits: 2,
        target: { op: '<=', value: SCALE_TARGETS.idleCallsPerDay },
        note:
          `${Object.entries(idleWatched.byKind)
            .map(([kind, t]) => `${kind} calendars ${t.callsPerDay}`)
            .join(', ')}; ` +
          `${idleWatched.listingsPerDueBackstop} listings per due backstop × ${idleWatched.backstopsPerDay} + ` +
          `${idleWatched.callsPerDueRenewal} calls per due renewal × ${idleWatched.renewalsPerDay}; ` +
          `${idleWatched.listings} listings, ${idleWatched.watches} watches, ${idleWatched.stops} stops, ${idleWatched.otherCalendarCalls} other` +
          notWatching(idleWatched),
      },
      [idleWatched.callsPerDay],
    ),
  ];
  for (const m of scale) {
    const slow = m.googleLatencyMs > 0;
    const of =
      `${m.calendars.toLocaleString('en-US')} calendars every ${SCALE_INTERVAL_S} s, ${m.replicas} replica${m.replicas === 1 ? '' : 's'}` +
      (slow ? `, Google answering each listing after ${m.googleLatencyMs / 1000} s` : '');
    const id = (name: string) => `scale.${name}.${m.replicas}${slow ? '.slowGoogle' : ''}`;
    figures.push(
      figure(
        {
          id: id('syncsPerDueSync'),
          label: `Syncs done per due sync (${of})`,
          unit: '',
          digits: 3,
          target: { op: '<=', value: SCALE_TARGETS.syncsPerDueSync },
          note: `${m.doubleListings} of ${m.listings} listings within ${SCALE_INTERVAL_S / 2} s of the calendar's previous${Object.keys(m.otherOutcomes).length > 0 ? `; ${describeCounts(m.otherOutcomes)}` : ''}`,
        },
        [m.syncsPerDueSync],
      ),
      figure(
        {
          id: id('syncsPerSecond'),
          label: `Syncs a second (${of}, always backlogged)`,
          unit: '',
          digits: 1,
          target: null,
          note: `${m.metricSyncs} finished in the window (${m.perReplica.join(' + ')}); a round of all calendars takes ${Math.round(m.calendars / m.syncsPerSecond)} s; webhook-api ${m.webhookApiCores} cores, FerretDB ${m.ferretdbCores}, others ${m.foreignCores}`,
        },
        [m.syncsPerSecond],
      ),
      figure(
        {
          id: id('cpuPerSync'),
          label: `webhook-api CPU per sync (${of})`,
          unit: 'ms',
          digits: 2,
          target: null,
          note: `FerretDB ${m.ferretdbCpuMsPerSync} ms per sync; each replica spends ${fixed.cpuMsPerS} ms a second with nothing due`,
        },
        [m.cpuMsPerSync],
      ),
      figure(
        {
          id: id('dbCommandsPerSync'),
          label: `webhook-api MongoDB commands per sync (${of})`,
          unit: '',
          digits: 2,
          target: null,
          note: `${describeCounts(m.dbByCommand)}; each replica sends ${fixed.commandsPerS} a second with nothing due`,
        },
        [m.dbCommandsPerSync],
      ),
    );
  }
  return figures;
}
