import { WebhookReceiver, eventSlot, newSubaccountId } from '@connector-service/testing';
import { CommandStartedEvent, Document, MongoClient, ObjectId } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { E2E_WEBHOOK_TOKEN, WebhookApiUnderTest, startWebhookApiRecordingCommands } from './support/webhook-api-app';
import { WebhookApiWithGoogle, eventually, newEmail } from './support/webhook-api-with-google';

const ROUTE = '/api/google-calendar/connections';
const DAY_MS = 86_400_000;
const LATER = new Date(Date.now() + 365 * DAY_MS);

interface OverviewItem {
  calendarId: string;
  subaccountId: string;
  googleEmail: string;
  status: string;
  lastError: string | null;
  connectedAt: string;
  lastSyncedAt: string | null;
  channelExpiresAt: string | null;
  pendingDeliveries: number;
  failedDeliveries: number;
}

interface OverviewPage {
  items: OverviewItem[];
  nextCursor?: string;
}

type Status = 'connected' | 'reauth_required' | 'disconnected';
/** A document as seeded: connections have ObjectId ids, the rest string ids. */
type Stored = { _id: ObjectId | string; [field: string]: unknown };

/**
 * A connection document as webhook-api stores it, idle: nothing owed (no metadata update, no
 * status change, no e-mail) and freshly refreshed, so no background work of the app touches it.
 */
function connectionDocument(status: Status, overrides: Document = {}): Stored {
  const now = new Date();
  return {
    _id: new ObjectId(),
    subaccountId: newSubaccountId(),
    userEmail: 'user@example.com',
    googleEmail: newEmail('google'),
    scopes: ['https://www.googleapis.com/auth/calendar'],
    status,
    connectedAt: now,
    lastRefreshedAt: now,
    disconnectedAt: status === 'disconnected' ? now : null,
    lastError: status === 'reauth_required' ? 'invalid_grant' : null,
    stateVersion: 1,
    metadataUpdate: { pending: false, attempts: 0, nextAttemptAt: null, lastError: null, deliveredVersion: 1 },
    refreshFailures: 0,
    nextRefreshAttemptAt: null,
    lastRefreshError: null,
    reauthEmailSentAt: null,
    reauthEmailDueAt: null,
    reauthEmailAttempts: 0,
    statusChanges: [],
    statusChangesDueAt: null,
    statusChangeAttempts: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

let deliveryCounter = 0;
/** A delivery document as DeliveryRepository stores it (its `_id` a fresh `msg_` id). */
function deliveryDocument(
  calendarId: string,
  status: 'pending' | 'delivered' | 'failed',
  overrides: Document = {},
): Stored {
  deliveryCounter += 1;
  const now = new Date();
  return {
    _id: `msg_${randomBytes(13).toString('hex').toUpperCase().slice(0, 26)}`,
    type: 'connection.status_changed',
    calendarId,
    subaccountId: newSubaccountId(),
    googleCalendarId: null,
    sequence: null,
    stream: `status:${calendarId}`,
    position: deliveryCounter,
    body: '{}',
    status,
    attempts: 1,
    nextAttemptAt: status === 'pending' ? LATER : null,
    lastError: status === 'delivered' ? null : 'HTTP 500',
    lastStatusCode: status === 'delivered' ? 204 : 500,
    createdAt: now,
    observedAt: null,
    firstAttemptAt: now,
    deliveredAt: status === 'delivered' ? now : null,
    failedAt: status === 'failed' ? now : null,
    syncedFrom: null,
    ...overrides,
  };
}

describe('the operator view of connections (e2e, real database)', () => {
  let api: WebhookApiUnderTest;
  let mongo: MongoClient;
  // What one listing asks of the database.
  let commands: CommandStartedEvent[];

  beforeAll(async () => {
    ({ api, commands } = await startWebhookApiRecordingCommands());
    mongo = await MongoClient.connect(api.mongoUri);
  });
  afterAll(async () => {
    await mongo?.close();
    await api?.close();
  });

  const collection = (name: string) => mongo.db().collection<Stored>(name);
  const list = (query = '') => api.http().get(`${ROUTE}${query}`).set('Authorization', `Bearer ${E2E_WEBHOOK_TOKEN}`);
  async function page(query = ''): Promise<OverviewPage> {
    const res = await list(query);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    return res.body.data as OverviewPage;
  }
  /** Every page of a listing, following nextCursor. */
  async function walk(query: string): Promise<{ pages: OverviewPage[]; items: OverviewItem[] }> {
    const pages: OverviewPage[] = [];
    let cursor: string | undefined;
    do {
      const next = await page(`?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(next);
      cursor = next.nextCursor;
    } while (cursor !== undefined && pages.length < 100);
    return { pages, items: pages.flatMap((p) => p.items) };
  }
  async function seedConnections(statuses: Status[]): Promise<Stored[]> {
    // Made one after another, so their ids grow: the last is the newest.
    const documents = statuses.map((status) => connectionDocument(status));
    await collection('googlecalendarconnections').insertMany(documents);
    return documents;
  }
  const idsOf = (items: { calendarId: string }[]) => items.map((item) => item.calendarId);
  const newestFirst = (documents: Stored[]) => documents.map((d) => String(d['_id'])).reverse();

  it('needs the service token', async () => {
    expect((await api.http().get(ROUTE)).status).toBe(401);
    const wrong = await api.http().get(ROUTE).set('Authorization', 'Bearer not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('lists newest first, 50 a page by default, and walks every page once with nextCursor (absent on the last)', async () => {
    const seeded = await seedConnections(
      Array.from({ length: 57 }, (_, i): Status => (['connected', 'reauth_required', 'disconnected'] as const)[i % 3]),
    );
    const first = await page();
    expect(first.items).toHaveLength(50);
    // Nothing newer than the seeded ones: the first page starts with them.
    expect(idsOf(first.items)).toEqual(newestFirst(seeded).slice(0, 50));
    expect(first.nextCursor).toBe(first.items[49]?.calendarId);

    const { pages, items } = await walk('limit=20');
    expect(pages.slice(0, -1).every((p) => p.items.length === 20 && p.nextCursor !== undefined)).toBe(true);
    expect(pages.at(-1)).not.toHaveProperty('nextCursor');
    const ids = idsOf(items);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(ids.slice(0, 57)).toEqual(newestFirst(seeded));

    const all = await page('?limit=200');
    expect(idsOf(all.items)).toEqual(ids.slice(0, 200));
    expect((await page('?limit=1')).items).toHaveLength(1);
  });

  it('filters by status, newest first, across pages', async () => {
    const seeded = await seedConnections(['reauth_required', 'connected', 'reauth_required', 'disconnected']);
    for (const status of ['connected', 'reauth_required', 'disconnected'] as const) {
      const { items } = await walk(`status=${status}&limit=7`);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.status === status)).toBe(true);
      const ids = idsOf(items);
      expect([...ids].sort().reverse()).toEqual(ids);
      const expected = newestFirst(seeded.filter((d) => d['status'] === status));
      expect(ids.slice(0, expected.length)).toEqual(expected);
      expect(items.length).toBe(await collection('googlecalendarconnections').countDocuments({ status }));
    }
  });

  it('answers each connection with its last error, last sync, channel expiry and pending and failed deliveries', async () => {
    const now = Date.now();
    const day = (n: number) => new Date(now + n * DAY_MS);
    const [quiet, failingRefresh, lost, busy] = await seedConnections([
      'connected',
      'connected',
      'reauth_required',
      'connected',
    ]);
    const [quietId, failingId, lostId, busyId] = [quiet, failingRefresh, lost, busy].map((d) => String(d?.['_id']));
    await collection('googlecalendarconnections').updateOne(
      { _id: failingRefresh?.['_id'] },
      { $set: { lastRefreshError: 'Google refused the refresh: HTTP 503' } },
    );
    const syncedAt = new Date(Date.now() - 60_000);
    await collection('calendarsyncstates').insertMany([
      syncState(busyId, { lastSyncedAt: syncedAt }),
      syncState(failingId, { lastSyncedAt: syncedAt, lastError: 'HTTP 500', failures: 2 }),
      // Only its sync fails: that is its error.
      syncState(quietId, { lastSyncedAt: null, lastError: 'HTTP 502', failures: 1 }),
    ]);
    await collection('pushchannels').insertMany([
      // Being renewed: the old one and its successor (the later counts), plus a second calendar's.
      pushChannel(busyId, 'primary', day(1)),
      pushChannel(busyId, 'primary', day(6)),
      pushChannel(busyId, 'team@group.calendar.google.com', day(3)),
      // Still opening (Google has not answered): no expiry yet.
      pushChannel(busyId, 'other@group.calendar.google.com', null),
      pushChannel(lostId, 'primary', null),
    ]);
    const failedLive = deliveryDocument(busyId, 'failed');
    const interruptedArchiving = deliveryDocument(busyId, 'failed');
    await collection('deliveries').insertMany([
      deliveryDocument(busyId, 'pending'),
      deliveryDocument(busyId, 'pending', { type: 'calendar.events.changed', stream: `events:${busyId}:primary` }),
      deliveryDocument(busyId, 'delivered'),
      failedLive,
      interruptedArchiving,
      deliveryDocument(lostId, 'pending'),
    ]);
    await collection('delivereddeliveries').insertMany([
      deliveryDocument(busyId, 'failed'),
      // The copy of one still in `deliveries`: counted once.
      { ...interruptedArchiving },
      deliveryDocument(busyId, 'delivered'),
      // Failed longer ago than DELIVERY_ARCHIVE_RETENTION_DAYS (7): no longer listed, not counted.
      deliveryDocument(busyId, 'failed', { failedAt: day(-8) }),
      deliveryDocument(lostId, 'failed'),
    ]);

    const { items } = await page('?limit=4');
    const byId = new Map(items.map((item) => [item.calendarId, item]));
    expect(byId.get(busyId)).toEqual({
      calendarId: busyId,
      subaccountId: busy?.['subaccountId'],
      googleEmail: busy?.['googleEmail'],
      status: 'connected',
      lastError: null,
      connectedAt: (busy?.['connectedAt'] as Date).toISOString(),
      lastSyncedAt: syncedAt.toISOString(),
      channelExpiresAt: day(3).toISOString(),
      pendingDeliveries: 2,
      failedDeliveries: 3,
    });
    expect(byId.get(lostId)).toMatchObject({
      status: 'reauth_required',
      lastError: 'invalid_grant',
      lastSyncedAt: null,
      channelExpiresAt: null,
      pendingDeliveries: 1,
      failedDeliveries: 1,
    });
    expect(byId.get(failingId)).toMatchObject({
      lastError: 'Google refused the refresh: HTTP 503',
      lastSyncedAt: syncedAt.toISOString(),
      pendingDeliveries: 0,
      failedDeliveries: 0,
    });
    expect(byId.get(quietId)).toMatchObject({
      lastError: 'HTTP 502',
      lastSyncedAt: null,
      channelExpiresAt: null,
      pendingDeliveries: 0,
      failedDeliveries: 0,
    });
    // Never a token, nor anything but the contract's fields.
    expect(Object.keys(byId.get(quietId) ?? {}).sort()).toEqual(
      [
        'calendarId',
        'channelExpiresAt',
        'connectedAt',
        'failedDeliveries',
        'googleEmail',
        'lastError',
        'lastSyncedAt',
        'pendingDeliveries',
        'status',
        'subaccountId',
      ].sort(),
    );
  });

  it("reads only the page's own entries: one bounded read per collection, whatever the collections hold", async () => {
    // Others' deliveries, channels and sync states the page must not read.
    const others = Array.from({ length: 30 }, () => new ObjectId().toHexString());
    await collection('deliveries').insertMany(others.map((id) => deliveryDocument(id, 'pending')));
    await collection('delivereddeliveries').insertMany(others.map((id) => deliveryDocument(id, 'failed')));
    await collection('pushchannels').insertMany(others.map((id) => pushChannel(id, 'primary', LATER)));
    await collection('calendarsyncstates').insertMany(others.map((id) => syncState(id, { lastSyncedAt: new Date() })));
    await seedConnections(['connected', 'connected', 'connected']);

    for (const limit of [2, 40]) {
      commands.length = 0;
      const { items } = await page(`?limit=${limit}`);
      const pageIds = idsOf(items).sort();
      // The listing's reads, told from the background work's polls (due times, no id lists) by their filters.
      const reads = commands.filter((c) => ['find', 'aggregate', 'count'].includes(c.commandName) && isListingRead(c));
      const byCollection = (name: string) => reads.filter((c) => c.command[c.commandName] === name);

      const [connectionsRead, ...moreConnectionReads] = byCollection('googlecalendarconnections');
      expect(moreConnectionReads).toEqual([]);
      expect(connectionsRead?.command['limit']).toBe(limit + 1);
      // Tokens are never read for it.
      expect(Object.keys(connectionsRead?.command['projection'] as Document)).not.toContain('accessToken');
      const [syncRead, ...moreSyncReads] = byCollection('calendarsyncstates');
      expect(moreSyncReads).toEqual([]);
      expect(idsIn(filterOf(syncRead), 'calendarId')).toEqual(pageIds);
      const [channelRead, ...moreChannelReads] = byCollection('pushchannels');
      expect(moreChannelReads).toEqual([]);
      expect(idsIn(filterOf(channelRead), 'calendarId')).toEqual(pageIds);
      // Pending and failed counted in `deliveries`, failed in the archive; there, by _id, the
      // copies of failed ones still in `deliveries` (only when the page has such).
      const deliveryReads = [...byCollection('deliveries'), ...byCollection('delivereddeliveries')];
      for (const read of deliveryReads) {
        const filter = filterOf(read);
        if (filter['calendarId'] === undefined) expect(read.command['find']).toBe('delivereddeliveries');
        else expect(idsIn(filter, 'calendarId')).toEqual(pageIds);
      }
      expect(byCollection('deliveries')).toHaveLength(2);
      expect(byCollection('delivereddeliveries').length).toBeGreaterThanOrEqual(1);
      expect(byCollection('delivereddeliveries').length).toBeLessThanOrEqual(2);
    }
  });

  it('keeps its indexes: status then id on connections, connection then status on both delivery collections', async () => {
    const keys = async (name: string) => (await collection(name).indexes()).map((index) => index.key);
    expect(await keys('googlecalendarconnections')).toContainEqual({ status: 1, _id: -1 });
    expect(await keys('deliveries')).toContainEqual({ calendarId: 1, status: 1, failedAt: 1 });
    expect(await keys('delivereddeliveries')).toContainEqual({ calendarId: 1, status: 1, failedAt: 1 });
    expect(await keys('pushchannels')).toContainEqual({ calendarId: 1 });
  });

  it.each([
    ['status=active'],
    ['status='],
    ['status=connected&status=disconnected'],
    ['limit=0'],
    ['limit=201'],
    ['limit=-1'],
    ['limit=1.5'],
    ['limit=ten'],
    ['cursor=nope'],
    ['cursor=68cf06a160d294db17c0687'],
    ['cursor[$gt]=a'],
    ['after=68cf06a160d294db17c06871'],
  ])('answers ?%s with a 400 in the envelope', async (query) => {
    const res = await list(`?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      message: expect.any(String),
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('answers an empty page past the oldest connection', async () => {
    expect(await page('?cursor=000000000000000000000000')).toEqual({ items: [] });
  });
});

describe('the operator view of a connection the app made (e2e: sandbox pushes, real deliveries)', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  afterEach(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('shows its sync, its channel, a delivery given up and one still tried', async () => {
    receiver = await WebhookReceiver.start(secret);
    // The platform fails: the status change is given up after a second of retries.
    receiver.answer(500);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      env: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        DELIVERY_POLL_INTERVAL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '50',
        DELIVERY_RETRY_WINDOW_SECONDS: '1',
      },
    });
    const email = newEmail('operator');
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, email);
    const overview = async () => {
      const res = await stack.asService('get', `${ROUTE}?status=connected`);
      expect(res.status).toBe(200);
      return (res.body.data as OverviewPage).items.find((item) => item.calendarId === calendarId);
    };

    const given = await eventually(async () => {
      const item = await overview();
      return item?.failedDeliveries === 1 && item.lastSyncedAt !== null && item.channelExpiresAt !== null
        ? item
        : undefined;
    }, 15000);
    const [channel] = stack.google.channels(email);
    expect(given).toEqual({
      calendarId,
      subaccountId,
      googleEmail: email,
      status: 'connected',
      lastError: null,
      connectedAt: expect.any(String),
      lastSyncedAt: expect.any(String),
      channelExpiresAt: new Date(channel?.expiration ?? 0).toISOString(),
      pendingDeliveries: 0,
      failedDeliveries: 1,
    });

    // A change the platform does not answer (the attempt hangs): pending while it is tried.
    receiver.answer('hang');
    stack.google.addCalendarEvent(email, { summary: 'Seen by the operator', ...eventSlot(10) });
    const tried = await eventually(async () => {
      const item = await overview();
      return item?.pendingDeliveries === 1 ? item : undefined;
    }, 15000);
    expect(tried).toMatchObject({ pendingDeliveries: 1, failedDeliveries: 1 });
    expect(Date.parse(tried.lastSyncedAt as string)).toBeGreaterThanOrEqual(Date.parse(given.lastSyncedAt as string));
  });
});

function syncState(calendarId: string, fields: Document): Stored {
  return {
    _id: `${calendarId}:primary@example.com`,
    calendarId,
    googleCalendarId: 'primary@example.com',
    endedReason: null,
    endedDeliveryId: null,
    stateVersion: 1,
    syncToken: 'sync-token',
    nextSyncAt: LATER,
    syncRequestedAt: null,
    lastSyncedAt: null,
    baselineChangesSince: null,
    failures: 0,
    lastError: null,
    ...fields,
  };
}

function pushChannel(calendarId: string, googleCalendarId: string, expiration: Date | null): Stored {
  return {
    _id: randomBytes(16).toString('hex'),
    calendarId,
    googleCalendarId,
    stateVersion: 1,
    tokenHash: randomBytes(32).toString('hex'),
    resourceId: expiration ? randomBytes(8).toString('hex') : null,
    expiration,
    renewAt: expiration ? LATER : null,
    openedAt: new Date(),
    renewalFailures: 0,
  };
}

/** A find's filter, an aggregation's first `$match`. */
function filterOf(read: CommandStartedEvent | undefined): Document {
  const pipeline = read?.command['pipeline'] as Document[] | undefined;
  return (pipeline?.[0]?.['$match'] ?? read?.command['filter'] ?? {}) as Document;
}

/** The connections page (newest first) or a lookup of a list of ids. */
function isListingRead(read: CommandStartedEvent): boolean {
  if (read.command[read.commandName] === 'googlecalendarconnections') {
    // The driver passes a sort as a Map (its keys' order is the sort's).
    const sort = read.command['sort'] as Map<string, unknown> | Document | undefined;
    return JSON.stringify(sort instanceof Map ? Object.fromEntries(sort) : sort) === JSON.stringify({ _id: -1 });
  }
  const filter = filterOf(read);
  return [filter['_id'], filter['calendarId']].some((condition) => (condition as Document | undefined)?.['$in']);
}

/** The ids a filter's `{ [field]: { $in: [...] } }` names, sorted. */
function idsIn(filter: unknown, field: string): string[] {
  const condition = (filter as Document | undefined)?.[field] as Document | undefined;
  return ((condition?.['$in'] as unknown[]) ?? []).map(String).sort();
}
