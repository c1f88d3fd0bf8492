import { ReceivedWebhook } from './webhook-receiver';

// What tests read of webhook-api's change notifications (CONTRACT.md, "Change notifications"),
// typed for assertions, and the event times they create at the sandbox.

export interface DeliveredEvent {
  id: string;
  status: string;
  summary: string;
  start: { dateTime?: string; date?: string };
  /** Google's last-modified time of the event (RFC 3339): with `id`, one change of it. */
  updated?: string;
}

export interface EventsChangedDelivery {
  type: 'calendar.events.changed';
  data: {
    subaccountId: string;
    calendarId: string;
    googleCalendarId: string;
    sequence: number;
    events: DeliveredEvent[];
  };
}

export interface StatusChangedDelivery {
  type: 'connection.status_changed';
  data: { subaccountId: string; calendarId: string; status: string; previousStatus: string | null };
}

export interface WatchEndedDelivery {
  type: 'calendar.watch_ended';
  data: { subaccountId: string; calendarId: string; googleCalendarId: string; reason: string };
}

export type ChangeNotification = EventsChangedDelivery | StatusChangedDelivery | WatchEndedDelivery;

/** The verified payload of a received webhook (undefined when it did not verify). */
export function notificationOf(received: ReceivedWebhook): ChangeNotification | undefined {
  return received.payload as ChangeNotification | undefined;
}

/** Whether a received webhook is a `calendar.events.changed` that carries a change of the event `eventId`. */
export function deliversEvent(received: ReceivedWebhook, eventId: string): boolean {
  const payload = notificationOf(received);
  return payload?.type === 'calendar.events.changed' && payload.data.events.some((event) => event.id === eventId);
}

/** The `calendar.events.changed` deliveries of one connection (of one of its calendars, when given), as received. */
export function eventsChangedOf(
  received: readonly ReceivedWebhook[],
  calendarId: string,
  googleCalendarId?: string,
): EventsChangedDelivery[] {
  return received
    .map(notificationOf)
    .filter(
      (p): p is EventsChangedDelivery =>
        p?.type === 'calendar.events.changed' &&
        p.data.calendarId === calendarId &&
        (googleCalendarId === undefined || p.data.googleCalendarId === googleCalendarId),
    );
}

/** The `calendar.watch_ended` deliveries of one connection, as received. */
export function watchEndedOf(received: readonly ReceivedWebhook[], calendarId: string): WatchEndedDelivery[] {
  return received
    .map(notificationOf)
    .filter((p): p is WatchEndedDelivery => p?.type === 'calendar.watch_ended' && p.data.calendarId === calendarId);
}

/** The status changes delivered for one connection, in the order received: `[previousStatus, status]` each. */
export function statusChangesOf(received: readonly ReceivedWebhook[], calendarId: string): [string | null, string][] {
  return received
    .map(notificationOf)
    .filter(
      (p): p is StatusChangedDelivery => p?.type === 'connection.status_changed' && p.data.calendarId === calendarId,
    )
    .map((p) => [p.data.previousStatus, p.data.status]);
}

/** Half an hour from `hour:minute` UTC, three days from now (inside every sync window). */
export function eventSlot(hour: number, minute = 0): { start: { dateTime: string }; end: { dateTime: string } } {
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const at = (m: number) => `${day}T${String(hour).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`;
  return { start: { dateTime: at(minute) }, end: { dateTime: at(minute + 30) } };
}
