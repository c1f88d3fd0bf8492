import {
  EventsChangedDelivery,
  WebhookReceiver,
  eventSlot as slot,
  notificationOf,
  statusChangesOf,
  newSubaccountId,
} from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import { WebhookApiWithGoogle, eventually, newEmail, platformWebhookEnv } from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

type DeliveredEvent = EventsChangedDelivery['data']['events'][number];

/**
 * Google lists a deleted event with its `id` and `status` alone (the sandbox does the same), so
 * what a cancellation's webhook says of the event comes from what webhook-api saw of it before.
 */
describe('cancelled events (e2e: a deletion at Google is delivered with what the event last had)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({ pushes: true, env: platformWebhookEnv(receiver, secret) });
  });

  afterEach(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  /** Connects and waits for what `connected` owes: the status delivery, the baseline and the channel. */
  async function connected(email: string): Promise<{ calendarId: string; subaccountId: string }> {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, email);
    await eventually(async () =>
      (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
    );
    await eventually(() => (stack.google.channels(email).length === 1 ? true : undefined));
    return { calendarId, subaccountId };
  }

  async function deliveredEvent(calendarId: string, match: (e: DeliveredEvent) => boolean): Promise<DeliveredEvent> {
    const received = await receiver.waitFor((r) => {
      const p = notificationOf(r);
      return p?.type === 'calendar.events.changed' && p.data.calendarId === calendarId && p.data.events.some(match);
    });
    return (received.payload as EventsChangedDelivery).data.events.find(match) as DeliveredEvent;
  }

  const memories = () => stack.mongo.db().collection('calendareventmemories');

  it('delivers the cancellation of an event created and moved since the baseline with its last summary, start and end', async () => {
    const email = newEmail('forgotten');
    const { calendarId } = await connected(email);
    const created = stack.google.addCalendarEvent(email, {
      summary: 'Intro call',
      extendedProperties: { private: { bookingId: 'booking-1' } },
      ...slot(10),
    });
    await deliveredEvent(calendarId, (e) => e.id === created.id);
    stack.google.patchCalendarEvent(email, created.id, slot(11));
    await deliveredEvent(calendarId, (e) => e.id === created.id && e.start.dateTime === slot(11).start.dateTime);

    stack.google.deleteCalendarEvent(email, created.id);
    const cancelled = await deliveredEvent(calendarId, (e) => e.id === created.id && e.status === 'cancelled');
    expect(cancelled).toMatchObject({
      id: created.id,
      status: 'cancelled',
      summary: 'Intro call',
      start: slot(11).start,
      end: slot(11).end,
      tags: { bookingId: 'booking-1' },
    });
    // Once delivered, the cancelled event is not kept.
    await eventually(async () => ((await memories().countDocuments({ eventId: created.id })) === 0 ? true : undefined));
  });

  it('delivers the cancellation of an event that existed at the baseline with what it had then', async () => {
    const email = newEmail('baseline');
    const existing = stack.google.addCalendarEvent(email, {
      summary: 'Booked before connecting',
      extendedProperties: { private: { bookingId: 'booking-2' } },
      ...slot(9),
    });
    const { calendarId } = await connected(email);

    stack.google.deleteCalendarEvent(email, existing.id);
    const cancelled = await deliveredEvent(calendarId, (e) => e.id === existing.id);
    expect(cancelled).toMatchObject({
      id: existing.id,
      status: 'cancelled',
      summary: 'Booked before connecting',
      start: slot(9).start,
      end: slot(9).end,
      tags: { bookingId: 'booking-2' },
    });
    // The baseline delivered nothing: the cancellation is the calendar's first delivery.
    const deliveries = receiver.delivered
      .map(notificationOf)
      .filter((p): p is EventsChangedDelivery => p?.type === 'calendar.events.changed');
    expect(deliveries.map((d) => [d.data.sequence, d.data.events.map((e) => e.id)])).toEqual([[1, [existing.id]]]);
  });

  it('delivers a cancelled occurrence of a series with the series’ summary and tags, at the occurrence’s own times', async () => {
    const email = newEmail('series');
    const first = slot(14);
    const series = stack.google.addCalendarEvent(email, {
      summary: 'Weekly session',
      extendedProperties: { private: { bookingId: 'series-1' } },
      start: { ...first.start, timeZone: 'UTC' },
      end: { ...first.end, timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    const { calendarId } = await connected(email);
    const weekLater = (dateTime: string) => new Date(Date.parse(dateTime) + 7 * 86_400_000).toISOString();
    const start = weekLater(first.start.dateTime).replace('.000Z', 'Z');
    const end = weekLater(first.end.dateTime).replace('.000Z', 'Z');
    const occurrence = `${series.id}_${start.replace(/[-:]/g, '')}`;

    stack.google.deleteCalendarEvent(email, occurrence);
    const cancelled = await deliveredEvent(calendarId, (e) => e.id === occurrence);
    expect(cancelled).toMatchObject({
      id: occurrence,
      status: 'cancelled',
      recurringEventId: series.id,
      summary: 'Weekly session',
      start: { dateTime: start, timeZone: 'UTC' },
      end: { dateTime: end, timeZone: 'UTC' },
      tags: { bookingId: 'series-1' },
    });
  });

  it('forgets what it kept of a connection’s events when the connection ends', async () => {
    const email = newEmail('disconnect');
    stack.google.addCalendarEvent(email, { summary: 'Kept while connected', ...slot(8) });
    const { calendarId } = await connected(email);
    await eventually(async () => ((await memories().countDocuments({ calendarId })) === 1 ? true : undefined));

    await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).expect(200);
    await eventually(() => (statusChangesOf(receiver.delivered, calendarId).length === 2 ? true : undefined));
    await eventually(async () => ((await memories().countDocuments({ calendarId })) === 0 ? true : undefined));
  });
});
