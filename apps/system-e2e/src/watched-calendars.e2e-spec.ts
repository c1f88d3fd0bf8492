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
import { Stack, eventually } from './support/stack';
import { setTimeout as sleep } from 'node:timers/promises';

// Several watched calendars through both built apps: the SPA chooses them on database-api,
// webhook-api opens a channel on each, syncs each with its own sequence, and ends one that
// Google deleted with one calendar.watch_ended.

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('watched calendars (system e2e: the SPA chooses them on database-api)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      googlePush: true,
      webhookEnv: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        DELIVERY_POLL_INTERVAL_MS: '100',
        // A deleted calendar sends no push: the backstop (every 5 s here) finds it.
        CALENDAR_SYNC_INTERVAL_SECONDS: '5',
        CALENDAR_BACKSTOP_INTERVAL_SECONDS: '5',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const events = (calendarId: string, googleCalendarId: string) =>
    eventsChangedOf(receiver.delivered, calendarId, googleCalendarId);
  const watchEnded = (calendarId: string) => watchEndedOf(receiver.delivered, calendarId);

  it('delivers a secondary calendar’s changes with its own sequence from 1 (its existing events not), and ends it once when Google deletes it', async () => {
    const subaccountId = newSubaccountId();
    const email = `watched-${subaccountId.slice(0, 8)}@example.com`;
    const bookings = stack.google.addCalendar(email, { summary: 'Bookings' });
    const existing = stack.google.addCalendarEvent(email, { summary: 'Before watching', ...slot(8) }, bookings);
    const calendarId = String((await stack.connect(subaccountId, email))['calendarId']);
    const route = `/api/connectors/${subaccountId}/google-calendar/watched-calendars`;

    const before = await stack.asUser(subaccountId, 'GET', route);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ data: [{ googleCalendarId: email, status: 'active' }] });
    const refused = await stack.asUser(subaccountId, 'PUT', route, {
      googleCalendarIds: ['nope@group.calendar.google.com'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { details: { unreadable: ['nope@group.calendar.google.com'] } } });

    const chosen = await stack.asUser(subaccountId, 'PUT', route, { googleCalendarIds: ['primary', bookings] });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({
      data: [
        { googleCalendarId: email, status: 'active' },
        { googleCalendarId: bookings, summary: 'Bookings', status: 'active' },
      ],
    });
    await eventually(async () => stack.google.channels(email).some((c) => c.calendarId === bookings));

    const created = stack.google.addCalendarEvent(email, { summary: 'Booked on the secondary', ...slot(10) }, bookings);
    await receiver.waitFor((r) => deliversEvent(r, created.id));
    expect(events(calendarId, bookings).map((d) => [d.data.sequence, d.data.events.map((e) => e.id)])).toEqual([
      [1, [created.id]],
    ]);
    expect(JSON.stringify(receiver.delivered.map(notificationOf))).not.toContain(existing.id);

    stack.google.removeCalendar(email, bookings);
    await receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.watch_ended' && p.data.calendarId === calendarId;
    }, 20_000);
    const listed = await stack.asUser(subaccountId, 'GET', route);
    expect(listed.body).toMatchObject({
      data: [
        { googleCalendarId: email, status: 'active' },
        { googleCalendarId: bookings, status: 'ended', endedReason: 'not_found' },
      ],
    });
    // The primary calendar goes on; the ended one is never synced again, and ends once.
    const onPrimary = stack.google.addCalendarEvent(email, { summary: 'Still watched', ...slot(11) });
    await receiver.waitFor((r) => deliversEvent(r, onPrimary.id));
    await sleep(8000);
    expect(watchEnded(calendarId).map((p) => p.data)).toEqual([
      { subaccountId, calendarId, googleCalendarId: bookings, reason: 'not_found' },
    ]);
  }, 90_000);
});
