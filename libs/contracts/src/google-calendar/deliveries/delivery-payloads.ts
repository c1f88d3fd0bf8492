import type { DeliveryType } from './delivery.dto';

/** One changed event as the sync reports it (Google's fields, passed through). */
export interface ChangedCalendarEvent {
  readonly id: string;
  readonly status: string;
  readonly [field: string]: unknown;
}

/** The body of a `calendar.events.changed` delivery (CONTRACT.md, "Change notifications"). */
export interface CalendarEventsChangedPayload {
  readonly type: DeliveryType.CalendarEventsChanged;
  readonly timestamp: string;
  readonly data: {
    readonly subaccountId: string;
    readonly calendarId: string;
    readonly googleCalendarId: string;
    readonly sequence: number;
    readonly events: readonly ChangedCalendarEvent[];
  };
}

/** The body of a `connection.status_changed` delivery. */
export interface ConnectionStatusChangedPayload {
  readonly type: DeliveryType.ConnectionStatusChanged;
  readonly timestamp: string;
  readonly data: {
    readonly subaccountId: string;
    readonly calendarId: string;
    readonly status: string;
    readonly previousStatus: string | null;
  };
}

/** Why a watched calendar ended: Google answered 404 (deleted, or no access at all), 403 (no access to its events) or 410. */
export type WatchEndedReason = 'not_found' | 'forbidden' | 'gone';

/** The body of a `calendar.watch_ended` delivery: sent once per watched calendar that ended. */
export interface CalendarWatchEndedPayload {
  readonly type: DeliveryType.CalendarWatchEnded;
  readonly timestamp: string;
  readonly data: {
    readonly subaccountId: string;
    readonly calendarId: string;
    readonly googleCalendarId: string;
    readonly reason: WatchEndedReason;
  };
}

export type DeliveryPayload = CalendarEventsChangedPayload | ConnectionStatusChangedPayload | CalendarWatchEndedPayload;
