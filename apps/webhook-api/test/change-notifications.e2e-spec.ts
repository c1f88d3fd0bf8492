import {
  EventsChangedDelivery,
  WebhookReceiver,
  eventSlot as slot,
  notificationOf,
  statusChangesOf,
  newSubaccountId,
} from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { CalendarSyncService } from '../src/calendar-sync/calendar-sync.service';
import {
  WebhookApiWithGoogle,
  eventually,
  newEmail,
  sleep,
  platformWebhookEnv,
} from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const NOTIFICATIONS = '/api/google-calendar/notifications';

describe('change notifications (e2e: sandbox pushes, sync, signed deliveries)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  async function start(options: { pushes?: boolean; env?: Record<string, string> } = {}): Promise<void> {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: options.pushes ?? true,
      env: { ...platformWebhookEnv(receiver, secret), ...options.env },
    });
  }

  afterEach(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const eventDeliveries = (calendarId: string) =>
    receiver.delivered
      .map(notificationOf)
      .filter(
        (p): p is EventsChangedDelivery => p?.type === 'calendar.events.changed' && p.data.calendarId === calendarId,
      );
  const statusDeliveries = (calendarId: string) => statusChangesOf(receiver.delivered, calendarId);
  const waitForEvent = (calendarId: string, match: (e: EventsChangedDelivery['data']['events'][number]) => boolean) =>
    receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.events.changed' && p.data.calendarId === calendarId && p.data.events.some(match);
    });
  const storedChannels = (calendarId: string) =>
    stack.mongo.db().collection('pushchannels').find({ calendarId }).toArray();
  const syncListings = () => stack.google.requests.filter((r) => r.path.endsWith('/events') && r.method === 'GET');

  /** Connects and waits for the baseline and the channel (what `connected` owes). */
  async function connected(email = newEmail('sync')): Promise<{ calendarId: string; email: string }> {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, email);
    await eventually(async () => {
      const connection = await stack.connectionOf(subaccountId);
      return connection?.['statusChanges']?.length === 0 ? true : undefined;
    });
    return { calendarId, email };
  }

  it('takes a baseline on connect, then delivers create, move and cancel in order, each within a second', async () => {
    await start();
    const email = newEmail('flow');
    const existing = stack.google.addCalendarEvent(email, { summary: 'Before connecting', ...slot(8) });
    const { calendarId } = await connected(email);

    const status = await receiver.waitFor((r) => notificationOf(r)?.type === 'connection.status_changed');
    expect(status.verified).toBe(true);
    expect(statusDeliveries(calendarId)).toEqual([[null, 'connected']]);
    const [channel] = stack.google.channels(email);
    expect(channel?.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/google-calendar\/notifications$/);
    expect(await storedChannels(calendarId)).toEqual([
      expect.objectContaining({
        _id: channel?.id,
        resourceId: channel?.resourceId,
        expiration: new Date(channel?.expiration ?? 0),
      }),
    ]);
    // The channel token is kept only as a hash.
    expect(JSON.stringify(await storedChannels(calendarId))).not.toContain(channel?.token ?? 'no token');

    let startedAt = Date.now();
    const created = stack.google.addCalendarEvent(email, { summary: 'Intro call', ...slot(10) });
    const first = await waitForEvent(calendarId, (e) => e.id === created.id);
    expect(first.at.getTime() - startedAt).toBeLessThan(1000);

    await sleep(1000);
    startedAt = Date.now();
    stack.google.patchCalendarEvent(email, created.id, slot(11));
    await waitForEvent(calendarId, (e) => e.id === created.id && (e.start.dateTime ?? '').includes('T11:00'));
    expect(Date.now() - startedAt).toBeLessThan(1000);

    await sleep(1000);
    startedAt = Date.now();
    stack.google.deleteCalendarEvent(email, created.id);
    await waitForEvent(calendarId, (e) => e.id === created.id && e.status === 'cancelled');
    expect(Date.now() - startedAt).toBeLessThan(1000);

    const deliveries = eventDeliveries(calendarId);
    expect(deliveries.map((d) => d.data.sequence)).toEqual([1, 2, 3]);
    expect(deliveries.map((d) => d.data.events.map((e) => [e.id, e.status]))).toEqual([
      [[created.id, 'confirmed']],
      [[created.id, 'confirmed']],
      [[created.id, 'cancelled']],
    ]);
    expect(deliveries.every((d) => d.data.googleCalendarId === email)).toBe(true);
    // The baseline's event was never delivered.
    expect(deliveries.flatMap((d) => d.data.events).some((e) => e.id === existing.id)).toBe(false);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
  });

  it('keeps a sync that outlasts its claim duration exclusive: another replica never syncs it meanwhile, nothing is delivered twice', async () => {
    // A claim of 1 s, renewed; Google's slow answer (3 s) must not time out meanwhile.
    await start({ env: { CLAIM_TTL_MS: '1000', OUTBOUND_TIMEOUT_MS: '10000' } });
    const replica = await stack.startReplica();
    try {
      const { calendarId, email } = await connected();
      const states = stack.mongo.db().collection<{ calendarId: string }>('calendarsyncstates');
      // Google answers the next listing slowly: far longer than the claim lasts unrenewed.
      stack.google.failApiRequests(1, { kind: 'hang', ms: 3000 }, { method: 'GET', path: /\/events$/ });
      const first = stack.google.addCalendarEvent(email, { summary: 'During the slow sync', ...slot(9) });
      await eventually(() => (syncListings().some((r) => r.status === undefined) ? true : undefined));
      await sleep(1300);
      // The other replica's periodic poll finds the calendar due while the slow sync runs.
      await states.updateOne({ calendarId }, { $set: { nextSyncAt: new Date() } });
      await sleep(2500);
      await waitForEvent(calendarId, (e) => e.id === first.id);
      const second = stack.google.addCalendarEvent(email, { summary: 'After it', ...slot(11) });
      await waitForEvent(calendarId, (e) => e.id === second.id);
      await sleep(1500);

      const deliveries = eventDeliveries(calendarId);
      expect(deliveries.map((d) => d.data.sequence)).toEqual([1, 2]);
      expect(deliveries.map((d) => d.data.events.map((e) => e.id))).toEqual([[first.id], [second.id]]);
    } finally {
      await replica.close();
    }
  });

  it('skips a due sync that another replica did since the look by reading its state, without a claim or a listing', async () => {
    await start({ pushes: false });
    const { calendarId, email } = await connected();
    const key = `${calendarId}:${email}`;
    // The look saw the calendar due; since then another replica synced it (its next sync is later)
    // and holds its claim again (a push): the look's item is no longer due.
    const state = await stack.mongo
      .db()
      .collection<{ _id: string; nextSyncAt: Date }>('calendarsyncstates')
      .findOne({ _id: key });
    const lookedAt = new Date((state?.nextSyncAt.getTime() ?? 0) - 1000);
    await stack.mongo
      .db()
      .collection<{ _id: string; token: string; holder: string; until: Date }>('leases')
      .insertOne({
        _id: `calendar-sync:${key}`,
        token: 'another-replica',
        holder: 'another',
        until: new Date(Date.now() + 10_000),
      });
    const listings = syncListings().length;

    const outcome = await stack.api.app.get(CalendarSyncService).sync(key, { dueBy: lookedAt });

    expect(outcome).toEqual({ ran: true, kind: 'not_due', changes: 0 });
    expect(syncListings()).toHaveLength(listings);
  });

  it('delivers nothing twice when a sync loses its claim after enqueuing a page and the next lists from the same token', async () => {
    // Polling only: a sync every 5 s; a claim of 1.5 s, renewed; Google's slow page (4 s) must not time out.
    await start({
      pushes: false,
      env: { CALENDAR_SYNC_INTERVAL_SECONDS: '5', CLAIM_TTL_MS: '1500', OUTBOUND_TIMEOUT_MS: '10000' },
    });
    const { calendarId, email } = await connected();
    const leases = stack.mongo.db().collection<{ _id: string; token: string; until: Date }>('leases');
    // More changes than one page (2,500) holds; the second page is answered slowly.
    stack.google.failApiRequests(
      1,
      { kind: 'hang', ms: 4000 },
      { method: 'GET', path: /\/events$/, query: /pageToken=/ },
    );
    const added = Array.from({ length: 2501 }, (_, i) =>
      stack.google.addCalendarEvent(email, { summary: `Bulk ${i}`, ...slot(8 + (i % 10)) }),
    );
    // The first page's 2,500 events are remembered and enqueued before the second is asked for:
    // 6 s on a loaded machine, over 30 s with the other Jest worker draining 1,000 deliveries
    // on the same FerretDB (both seen), so this waits longer than one sync interval.
    await eventually(() => (syncListings().some((r) => r.status === undefined) ? true : undefined), 60_000);
    // Meanwhile another replica takes the claim over (as if the holder had stalled), then dies.
    await leases.updateOne(
      { _id: `calendar-sync:${calendarId}:${email}` },
      { $set: { token: 'another-replica', until: new Date(Date.now() + 3000) } },
    );
    await sleep(1500);
    await leases.deleteOne({ _id: `calendar-sync:${calendarId}:${email}`, token: 'another-replica' });

    // The next sync lists from the token the lost one started from: every change, once.
    const deliveredIds = () => eventDeliveries(calendarId).flatMap((d) => d.data.events.map((e) => e.id));
    await eventually(() => (new Set(deliveredIds()).size === added.length ? true : undefined), 30_000);
    await sleep(1500);
    const ids = deliveredIds();
    expect(ids.length - new Set(ids).size).toBe(0);
    const sequences = eventDeliveries(calendarId).map((d) => d.data.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
  }, 120_000);

  it('delivers a change made after connecting even when the baseline is taken late (Google failed it first)', async () => {
    await start();
    const email = newEmail('late');
    const existing = stack.google.addCalendarEvent(email, { summary: 'Before connecting', ...slot(8) });
    await sleep(20);
    // The baseline's first listing fails; it is retried after a pause.
    stack.google.failApiRequests(1, { kind: 'serverError', status: 503 }, { method: 'GET', path: /\/events$/ });
    const { calendarId } = await connected(email);
    const added = stack.google.addCalendarEvent(email, { summary: 'Right after connecting', ...slot(10) });
    await waitForEvent(calendarId, (e) => e.id === added.id);
    await sleep(500);
    const delivered = eventDeliveries(calendarId).flatMap((d) => d.data.events.map((e) => e.id));
    expect(delivered.filter((id) => id === added.id)).toHaveLength(1);
    expect(delivered).not.toContain(existing.id);
  });

  it('answers 401 to a wrong or missing channel token, 200 to an unknown channel, 400 without the headers', async () => {
    await start();
    const { email } = await connected();
    const [channel] = stack.google.channels(email);
    const push = (headers: Record<string, string>) => {
      const call = request(stack.api.app.getHttpServer()).post(NOTIFICATIONS);
      for (const [name, value] of Object.entries(headers)) void call.set(name, value);
      return call;
    };
    const base = {
      'X-Goog-Channel-ID': channel?.id ?? '',
      'X-Goog-Resource-ID': channel?.resourceId ?? '',
      'X-Goog-Resource-State': 'exists',
      'X-Goog-Message-Number': '2',
    };
    const wrong = await push({ ...base, 'X-Goog-Channel-Token': `${channel?.token ?? ''}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    expect((await push(base)).status).toBe(401);

    const unknown = await push({ ...base, 'X-Goog-Channel-ID': 'not-ours', 'X-Goog-Channel-Token': 'whatever' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ success: true, data: { accepted: false } });

    const bare = await push({});
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });

    // A push that declares JSON but has no body (as some of Google's do) is still a push.
    const declaredJson = await push({
      ...base,
      'X-Goog-Channel-Token': channel?.token ?? '',
      'Content-Type': 'application/json; charset=UTF-8',
    });
    expect(declaredJson.status).toBe(200);
    expect(declaredJson.body).toMatchObject({ success: true, data: { accepted: true } });

    const before = Date.now();
    const right = await push({ ...base, 'X-Goog-Channel-Token': channel?.token ?? '' });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ success: true, data: { accepted: true } });
    expect(Date.now() - before).toBeLessThan(100);
  });

  it('coalesces pushes within a second into one sync after the first, and delivers every change', async () => {
    await start();
    const { calendarId, email } = await connected();
    const listingsBefore = syncListings().length;
    // Five changes over half a second, each pushed on its own.
    const ids: string[] = [];
    for (const hour of [9, 10, 11, 12, 13]) {
      ids.push(stack.google.addCalendarEvent(email, { summary: `Burst ${hour}`, ...slot(hour) }).id);
      await sleep(100);
    }
    await eventually(() => {
      const seen = new Set(eventDeliveries(calendarId).flatMap((d) => d.data.events.map((e) => e.id)));
      return ids.every((id) => seen.has(id)) ? true : undefined;
    });
    await stack.google.pushesSettled();
    await sleep(1500);
    expect(stack.google.pushesSent().filter((p) => p.state === 'exists').length).toBeGreaterThanOrEqual(5);
    expect(syncListings().length - listingsBefore).toBeLessThanOrEqual(2);
  });

  it('lists the calendar afresh when Google answers 410 and delivers every event in it', async () => {
    await start();
    const email = newEmail('gone');
    const old = stack.google.addCalendarEvent(email, { summary: 'Old but in the window', ...slot(8) });
    const { calendarId } = await connected(email);
    stack.google.expireSyncTokens(email);
    const added = stack.google.addCalendarEvent(email, { summary: 'After the 410', ...slot(9) });
    const resync = await waitForEvent(calendarId, (e) => e.id === added.id);
    expect((resync.payload as EventsChangedDelivery).data.events.map((e) => e.id).sort()).toEqual(
      [old.id, added.id].sort(),
    );
    const metrics = await stack.asService('get', '/metrics').expect(200);
    expect(metrics.text).toMatch(/calendar_sync_410_total 1/);

    // And the new token works: the next change is incremental again.
    const next = stack.google.addCalendarEvent(email, { summary: 'Next', ...slot(12) });
    const incremental = await waitForEvent(calendarId, (e) => e.id === next.id);
    expect((incremental.payload as EventsChangedDelivery).data.events.map((e) => e.id)).toEqual([next.id]);
  });

  it('renews a short-lived channel before it lapses, opening the new one before stopping the old', async () => {
    await start();
    stack.google.setChannelLifetimeMs(4000);
    const { calendarId, email } = await connected();
    const [first] = stack.google.channels(email);
    expect(first).toBeDefined();
    const renewed = await eventually(() => {
      const live = stack.google.channels(email);
      return live.length === 1 && live[0]?.id !== first?.id ? live[0] : undefined;
    }, 6000);
    const history = stack.google.channels(email, { all: true });
    const old = history.find((c) => c.id === first?.id);
    expect(old).toMatchObject({ stopped: true });
    // Stopped before it lapsed, after its successor was opened.
    const stop = stack.google.requests.find((r) => r.path.endsWith('/channels/stop'));
    expect(stop?.at.getTime()).toBeLessThan(first?.expiration ?? 0);
    const watches = stack.google.requests.filter((r) => r.path.endsWith('/events/watch'));
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect((watches[1]?.at.getTime() ?? Infinity) <= (stop?.at.getTime() ?? 0)).toBe(true);
    // The old channel's record goes once Google has answered the stop.
    await eventually(async () => {
      const stored = (await storedChannels(calendarId)).map((c) => String(c['_id']));
      return stored.length === 1 && stored[0] === renewed?.id ? true : undefined;
    });

    // The renewed channel still brings changes.
    const added = stack.google.addCalendarEvent(email, { summary: 'Through the new channel', ...slot(10) });
    await waitForEvent(calendarId, (e) => e.id === added.id);
  });

  it('retries a failing channel renewal at growing intervals, not every second', async () => {
    await start();
    stack.google.setChannelLifetimeMs(4000);
    await connected();
    const openedAt = Date.now();
    // Every watch fails from now on (Google down for the renewals).
    stack.google.failApiRequests(
      100,
      { kind: 'serverError', status: 503 },
      { method: 'POST', path: /\/events\/watch$/ },
    );
    const watchesAfter = () =>
      stack.google.requests.filter((r) => r.path.endsWith('/events/watch') && r.at.getTime() > openedAt);
    await sleep(8000);
    const attempts = watchesAfter().map((r) => r.at.getTime());
    // Due after 3 s; then 1 s, 2 s, 4 s apart (each with jitter down to half): at most 4 in 5 s, not 5.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(4);
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number));
    if (gaps.length >= 3) expect(gaps[2]).toBeGreaterThan(gaps[0] as number);
  }, 20000);

  /** The subaccount's connection has worked off what its transitions owe. */
  const settled = (subaccountId: string) =>
    eventually(async () =>
      (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
    );
  const syncStateOf = (calendarId: string) =>
    stack.mongo
      .db()
      .collection<{ calendarId: string; syncToken?: string | null }>('calendarsyncstates')
      .findOne({ calendarId });

  it('backs off a baseline that keeps failing after a switch to another Google account instead of trying it every second', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const email = newEmail('rebase');
    await stack.connect(subaccountId, email);
    await settled(subaccountId);
    // Google fails every listing from now on; the user consents with another account (a new baseline is owed).
    stack.google.failApiRequests(100, { kind: 'serverError', status: 503 }, { method: 'GET', path: /\/events$/ });
    const since = Date.now();
    await stack.connect(subaccountId, email, newEmail('rebase-other'));
    await sleep(6000);
    const attempts = syncListings().filter((r) => r.at.getTime() >= since);
    // 1 s, 2 s, 4 s apart (jitter down to half): at most 4 in 6 s; every second would be 6 or more.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(4);
  }, 20000);

  it('a re-consent to the same Google account while connected delivers what changed since the last sync: no new baseline', async () => {
    // Polling only, and no sync due before the re-consent: the change below waits for it.
    await start({ pushes: false });
    const subaccountId = newSubaccountId();
    const email = newEmail('same');
    const { calendarId } = await stack.connect(subaccountId, email);
    await settled(subaccountId);
    await eventually(async () => ((await syncStateOf(calendarId))?.syncToken ? true : undefined));
    await stack.mongo
      .db()
      .collection<{ calendarId: string }>('calendarsyncstates')
      .updateOne({ calendarId }, { $set: { nextSyncAt: new Date(Date.now() + 3600_000) } });
    const changed = stack.google.addCalendarEvent(email, { summary: 'Between two syncs', ...slot(10) });
    await sleep(20);

    const since = Date.now();
    await stack.connect(subaccountId, email);
    const delivered = await waitForEvent(calendarId, (e) => e.id === changed.id);
    expect((delivered.payload as EventsChangedDelivery).data).toMatchObject({ sequence: 1, googleCalendarId: email });
    // The sync went on from its token: no listing of the whole calendar after the re-consent.
    const listings = syncListings().filter((r) => r.at.getTime() >= since);
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((r) => r.query?.['syncToken'] !== undefined)).toBe(true);
  });

  it('keeps the push channel across a re-consent to the same Google account', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const email = newEmail('samechannel');
    const { calendarId } = await stack.connect(subaccountId, email);
    await settled(subaccountId);
    const [channel] = stack.google.channels(email);
    const watches = () => stack.google.requests.filter((r) => r.path.endsWith('/events/watch')).length;
    const watchesBefore = watches();

    await stack.connect(subaccountId, email);
    await settled(subaccountId);
    expect(stack.google.channels(email).map((c) => c.id)).toEqual([channel?.id]);
    expect(watches()).toBe(watchesBefore);
    expect((await storedChannels(calendarId)).map((c) => c['_id'])).toEqual([channel?.id]);
    // And it still brings changes, numbered on from before.
    const added = stack.google.addCalendarEvent(email, { summary: 'Through the kept channel', ...slot(10) });
    const delivered = await waitForEvent(calendarId, (e) => e.id === added.id);
    expect((delivered.payload as EventsChangedDelivery).data.sequence).toBe(1);
  });

  it("a switch to another Google account stops the old account's channel with its own grant, and takes a baseline of the new one", async () => {
    await start();
    const subaccountId = newSubaccountId();
    const first = newEmail('first');
    const second = newEmail('second');
    const { calendarId } = await stack.connect(subaccountId, first);
    await settled(subaccountId);
    const [oldChannel] = stack.google.channels(first);
    const existing = stack.google.addCalendarEvent(second, { summary: 'Before the switch', ...slot(8) });
    await sleep(20);

    await stack.connect(subaccountId, first, second);
    // Stopped before the tokens changed hands: with the first account's grant.
    expect(stack.google.channels(first)).toEqual([]);
    const stop = stack.google.requests.find(
      (r) => r.path.endsWith('/channels/stop') && (r.json as { id?: string } | undefined)?.id === oldChannel?.id,
    );
    expect(stop).toMatchObject({ status: 204, account: first });
    await settled(subaccountId);
    expect(stack.google.channels(second)).toHaveLength(1);
    expect(await syncStateOf(calendarId)).toMatchObject({ googleCalendarId: second, syncToken: expect.any(String) });

    stack.google.addCalendarEvent(first, { summary: 'In the old account', ...slot(9) });
    const added = stack.google.addCalendarEvent(second, { summary: 'After the switch', ...slot(10) });
    const delivered = await waitForEvent(calendarId, (e) => e.id === added.id);
    expect((delivered.payload as EventsChangedDelivery).data.googleCalendarId).toBe(second);
    await sleep(500);
    const ids = eventDeliveries(calendarId).flatMap((d) => d.data.events.map((e) => e.id));
    expect(ids).toEqual([added.id]);
    expect(ids).not.toContain(existing.id);
  });

  it('stops the channel before revoking on disconnect and tells the platform', async () => {
    await start();
    const { calendarId, email } = await connected();
    const [channel] = stack.google.channels(email);
    await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).expect(200);
    expect(stack.google.channels(email)).toEqual([]);
    expect(stack.google.channels(email, { all: true }).find((c) => c.id === channel?.id)).toMatchObject({
      stopped: true,
    });
    const stopAt = stack.google.requests.findIndex((r) => r.path.endsWith('/channels/stop'));
    const revokeAt = stack.google.requests.findIndex((r) => r.path.endsWith('/revoke'));
    expect(stopAt).toBeGreaterThan(-1);
    expect(stopAt).toBeLessThan(revokeAt);
    await eventually(() => (statusDeliveries(calendarId).length === 2 ? true : undefined));
    expect(statusDeliveries(calendarId)).toEqual([
      [null, 'connected'],
      ['connected', 'disconnected'],
    ]);
    expect(await storedChannels(calendarId)).toEqual([]);
    // The relay forgets the sync state after it enqueued the webhook, so that may be delivered first.
    await eventually(async () => ((await syncStateOf(calendarId)) === null ? true : undefined));
  });

  it('drops the channel when access is lost and says reauth_required', async () => {
    await start();
    const { calendarId, email } = await connected();
    stack.google.revokeGrant(email);
    stack.google.invalidateAccessTokens(email);
    // The next Google call meets the revoked grant.
    await stack.asService('get', `/api/google-calendar/connections/${calendarId}/calendars`).expect(409);
    await eventually(() => (statusDeliveries(calendarId).length === 2 ? true : undefined));
    expect(statusDeliveries(calendarId)[1]).toEqual(['connected', 'reauth_required']);
    await eventually(async () => ((await storedChannels(calendarId)).length === 0 ? true : undefined));
  });

  it('keeps background Calendar calls within GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE, and the platform never waits for that budget', async () => {
    await start({
      pushes: false,
      env: { CALENDAR_SYNC_INTERVAL_SECONDS: '5', GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE: '60' },
    });
    const calendars = [];
    for (let i = 0; i < 4; i += 1) calendars.push(await connected());
    const since = Date.now();
    // Every calendar's sync comes due at once: their listings queue for the budget (one a second).
    await stack.mongo
      .db()
      .collection('calendarsyncstates')
      .updateMany({}, { $set: { nextSyncAt: new Date() } });
    await sleep(500);
    // Meanwhile the platform's own request is answered at once.
    const startedAt = Date.now();
    const platform = await stack.asService(
      'get',
      `/api/google-calendar/connections/${calendars[0]?.calendarId}/calendars`,
    );
    expect(platform.status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(500);
    await sleep(4000);
    const listings = syncListings()
      .filter((r) => r.at.getTime() >= since)
      .map((r) => r.at.getTime());
    expect(listings.length).toBeGreaterThanOrEqual(4);
    // At most one a second: the k-th listing after another at least k seconds after it. The
    // sandbox sees when a listing arrives, not when the budget let it go: a loaded machine may
    // delay one on its way by up to 200 ms (seen: 900 ms between two), never k of them.
    for (let i = 0; i < listings.length; i += 1) {
      for (let k = 1; i + k < listings.length; k += 1) {
        expect((listings[i + k] as number) - (listings[i] as number)).toBeGreaterThanOrEqual(k * 1000 - 200);
      }
    }
  });

  it('delivers by polling alone without GOOGLE_PUSH_URL', async () => {
    await start({ pushes: false, env: { CALENDAR_SYNC_INTERVAL_SECONDS: '5' } });
    const { calendarId, email } = await connected();
    expect(stack.google.channels(email)).toEqual([]);
    const added = stack.google.addCalendarEvent(email, { summary: 'Polled', ...slot(10) });
    const polled = await receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.events.changed' && p.data.events.some((e) => e.id === added.id);
    }, 12_000);
    expect((polled.payload as EventsChangedDelivery).data).toMatchObject({ calendarId, sequence: 1 });
  });
});
