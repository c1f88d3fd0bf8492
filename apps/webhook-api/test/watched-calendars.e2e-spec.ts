import {
  WebhookReceiver,
  deliversEvent,
  eventsChangedOf,
  watchEndedOf,
  eventSlot as slot,
  notificationOf,
  newSubaccountId,
} from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import {
  WebhookApiWithGoogle,
  eventually,
  newEmail,
  platformWebhookEnv,
  sleep,
} from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Several watched calendars per connection (CONTRACT.md, "Change notifications"): each with
 * its own push channel, sync state and `sequence`; a calendar added takes a baseline; one
 * removed has its channel stopped; one Google stops letting the account read ends once.
 */
describe('watched calendars (e2e: sandbox calendars, channels, signed deliveries)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      // Syncs every 5 s with or without a channel: a calendar deleted at Google (no push comes) is found soon.
      env: {
        ...platformWebhookEnv(receiver, secret),
        CALENDAR_SYNC_INTERVAL_SECONDS: '5',
        CALENDAR_BACKSTOP_INTERVAL_SECONDS: '5',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const watchedPath = (calendarId: string) => `/api/google-calendar/connections/${calendarId}/watched-calendars`;
  const deliveriesOf = (calendarId: string, googleCalendarId: string) =>
    eventsChangedOf(receiver.delivered, calendarId, googleCalendarId);
  const watchEnded = (calendarId: string) => watchEndedOf(receiver.delivered, calendarId);

  async function connected(email: string): Promise<string> {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, email);
    await eventually(async () =>
      (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
    );
    return calendarId;
  }

  it('watches the primary calendar until others are chosen; a secondary calendar then delivers its own changes from sequence 1, its existing events not', async () => {
    const email = newEmail('watch');
    const bookings = stack.google.addCalendar(email, { summary: 'Bookings' });
    const existing = stack.google.addCalendarEvent(email, { summary: 'Before watching', ...slot(8) }, bookings);
    const calendarId = await connected(email);

    const before = await stack.asService('get', watchedPath(calendarId)).expect(200);
    expect(before.body.data).toEqual([{ googleCalendarId: email, status: 'active' }]);

    const chosen = await stack
      .asService('put', watchedPath(calendarId), { body: { googleCalendarIds: ['primary', bookings] } })
      .expect(200);
    expect(chosen.body.data).toEqual([
      { googleCalendarId: email, summary: email, status: 'active' },
      { googleCalendarId: bookings, summary: 'Bookings', status: 'active' },
    ]);
    // A channel of its own on the secondary calendar, opened by the renewal poll.
    await eventually(() => (stack.google.channels(email).some((c) => c.calendarId === bookings) ? true : undefined));

    const created = stack.google.addCalendarEvent(email, { summary: 'Secondary booking', ...slot(10) }, bookings);
    await receiver.waitFor((r) => deliversEvent(r, created.id));
    const onPrimary = stack.google.addCalendarEvent(email, { summary: 'Primary booking', ...slot(11) });
    await receiver.waitFor((r) => deliversEvent(r, onPrimary.id));

    const secondary = deliveriesOf(calendarId, bookings);
    expect(secondary.map((d) => d.data.sequence)).toEqual([1]);
    expect(secondary.flatMap((d) => d.data.events.map((e) => e.id))).toEqual([created.id]);
    expect(JSON.stringify(receiver.delivered.map(notificationOf))).not.toContain(existing.id);
    expect(deliveriesOf(calendarId, email).flatMap((d) => d.data.events.map((e) => e.id))).toEqual([onPrimary.id]);
  });

  it('refuses calendars the account cannot read, naming them, and changes nothing', async () => {
    const email = newEmail('unreadable');
    const busyOnly = stack.google.addCalendar(email, { summary: 'Free/busy only', accessRole: 'freeBusyReader' });
    const calendarId = await connected(email);
    const refused = await stack
      .asService('put', watchedPath(calendarId), {
        body: { googleCalendarIds: ['primary', busyOnly, 'nobody@group.calendar.google.com'] },
      })
      .expect(400);
    expect(refused.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unreadable: [busyOnly, 'nobody@group.calendar.google.com'] },
    });
    const watched = await stack.asService('get', watchedPath(calendarId)).expect(200);
    expect(watched.body.data).toEqual([{ googleCalendarId: email, status: 'active' }]);
    await stack.asService('put', watchedPath(calendarId), { body: { googleCalendarIds: [] } }).expect(400);
  });

  it('stops the channel of a calendar no longer watched and delivers nothing more from it', async () => {
    const email = newEmail('unwatch');
    const team = stack.google.addCalendar(email, { summary: 'Team' });
    const calendarId = await connected(email);
    await stack
      .asService('put', watchedPath(calendarId), { body: { googleCalendarIds: ['primary', team] } })
      .expect(200);
    await eventually(() => (stack.google.channels(email).some((c) => c.calendarId === team) ? true : undefined));

    await stack.asService('put', watchedPath(calendarId), { body: { googleCalendarIds: ['primary'] } }).expect(200);
    await eventually(() => (stack.google.channels(email).some((c) => c.calendarId === team) ? undefined : true));
    stack.google.addCalendarEvent(email, { summary: 'Not watched', ...slot(9) }, team);
    const marker = stack.google.addCalendarEvent(email, { summary: 'Watched', ...slot(12) });
    await receiver.waitFor((r) => deliversEvent(r, marker.id));
    await sleep(500);
    expect(deliveriesOf(calendarId, team)).toEqual([]);
  });

  it('ends a watched calendar deleted at Google once: calendar.watch_ended, status ended, no more syncs of it', async () => {
    const email = newEmail('deleted');
    const shared = stack.google.addCalendar(email, { summary: 'Shared' });
    const calendarId = await connected(email);
    await stack
      .asService('put', watchedPath(calendarId), { body: { googleCalendarIds: [shared, 'primary'] } })
      .expect(200);
    await eventually(() => (stack.google.channels(email).some((c) => c.calendarId === shared) ? true : undefined));

    stack.google.removeCalendar(email, shared);
    const ended = await receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.watch_ended' && p.data.calendarId === calendarId;
    }, 20_000);
    expect(ended.verified).toBe(true);
    expect(notificationOf(ended)?.data).toEqual({
      subaccountId: expect.any(String),
      calendarId,
      googleCalendarId: shared,
      reason: 'not_found',
    });
    const watched = await stack.asService('get', watchedPath(calendarId)).expect(200);
    expect(watched.body.data).toEqual([
      { googleCalendarId: shared, summary: 'Shared', status: 'ended', endedReason: 'not_found' },
      { googleCalendarId: email, summary: email, status: 'active' },
    ]);

    // Backstops every 5 s: none of them lists the ended calendar again, and it ends only once.
    const from = stack.google.requests.length;
    await sleep(12_000);
    const listingsOfIt = stack.google.requests
      .slice(from)
      .filter((r) => r.method === 'GET' && r.path.includes(encodeURIComponent(shared)) && r.path.endsWith('/events'));
    expect(listingsOfIt).toEqual([]);
    expect(watchEnded(calendarId)).toHaveLength(1);

    // Shared again, and chosen again: watched afresh.
    stack.google.addCalendar(email, { id: shared, summary: 'Shared' });
    const again = await stack
      .asService('put', watchedPath(calendarId), { body: { googleCalendarIds: [shared, 'primary'] } })
      .expect(200);
    expect(again.body.data[0]).toEqual({ googleCalendarId: shared, summary: 'Shared', status: 'active' });
    const added = stack.google.addCalendarEvent(email, { summary: 'After re-sharing', ...slot(14) }, shared);
    await receiver.waitFor((r) => deliversEvent(r, added.id), 15_000);
  }, 90_000);

  it('ends a watched calendar unshared from the account once, and delivers none of its owner’s later changes', async () => {
    const email = newEmail('unshared');
    const shared = stack.google.addCalendar(email, { summary: 'Lent', accessRole: 'writer' });
    const calendarId = await connected(email);
    await stack
      .asService('put', watchedPath(calendarId), { body: { googleCalendarIds: [shared, 'primary'] } })
      .expect(200);
    await eventually(() => (stack.google.channels(email).some((c) => c.calendarId === shared) ? true : undefined));

    stack.google.unshareCalendar(email, shared);
    // Its owner goes on changing it: the account can no longer read it, so nothing of it is delivered.
    stack.google.addCalendarEvent(email, { summary: 'Owner only', ...slot(10) }, shared);
    const ended = await receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.watch_ended' && p.data.calendarId === calendarId;
    }, 20_000);
    expect(notificationOf(ended)?.data).toMatchObject({ googleCalendarId: shared, reason: 'not_found' });
    await sleep(6_000);
    expect(watchEnded(calendarId)).toHaveLength(1);
    expect(deliveriesOf(calendarId, shared)).toEqual([]);
    const watched = await stack.asService('get', watchedPath(calendarId)).expect(200);
    expect(watched.body.data[0]).toEqual({
      googleCalendarId: shared,
      summary: 'Lent',
      status: 'ended',
      endedReason: 'not_found',
    });
  }, 60_000);

  it('brings a sync state of the time of one calendar per connection over at start, going on from its token', async () => {
    const email = newEmail('legacy');
    const calendarId = await connected(email);
    const states = stack.mongo
      .db()
      .collection<{ _id: string; calendarId?: string; syncToken?: string | null }>('calendarsyncstates');
    const current = await eventually(async () => {
      const state = await states.findOne({ calendarId });
      return state?.syncToken ? state : undefined;
    });
    await stack.restart(async () => {
      // As stored before: keyed by the connection, without `calendarId`.
      const { _id: _key, calendarId: _connection, ...legacy } = current as NonNullable<typeof current>;
      await states.deleteOne({ calendarId });
      await states.insertOne({ ...legacy, _id: calendarId });
    });
    expect(await states.findOne({ _id: calendarId })).toBeNull();
    expect(await states.findOne({ _id: `${calendarId}:${email}` })).toMatchObject({
      calendarId,
      googleCalendarId: email,
      syncToken: current?.syncToken,
    });
    const added = stack.google.addCalendarEvent(email, { summary: 'After the upgrade', ...slot(13) });
    await receiver.waitFor((r) => deliversEvent(r, added.id));
    const delivered = deliveriesOf(calendarId, email);
    expect(delivered.map((d) => [d.data.sequence, d.data.events.map((e) => e.id)])).toEqual([[1, [added.id]]]);
  });

  it('answers 409 NOT_CONNECTED for a connection that is not connected', async () => {
    const email = newEmail('gone');
    const calendarId = await connected(email);
    await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).expect(200);
    const answer = await stack.asService('get', watchedPath(calendarId)).expect(409);
    expect(answer.body.error.code).toBe('NOT_CONNECTED');
    await stack.asService('put', watchedPath(calendarId), { body: { googleCalendarIds: ['primary'] } }).expect(409);
  });
});
