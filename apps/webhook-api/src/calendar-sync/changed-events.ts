import { DateTime } from 'luxon';
import { GoogleEvent } from '../google/google-calendar.api';

/** What a full resync (Google's 410) delivers: events from 30 days back to a year ahead. */
export const RESYNC_WINDOW = { daysBack: 30, daysAhead: 365 } as const;

/**
 * Whether a full resync delivers this event: it overlaps the window, or it is a series that
 * starts before the window ends (it may recur into it). Events without times (cancelled
 * ones Google lists bare) are delivered.
 */
export function inResyncWindow(event: GoogleEvent, now: Date): boolean {
  const from = now.getTime() - RESYNC_WINDOW.daysBack * 86_400_000;
  const to = now.getTime() + RESYNC_WINDOW.daysAhead * 86_400_000;
  const start = instant(event.start);
  const end = instant(event.end) ?? start;
  if (start === undefined) return true;
  if (event.recurrence?.length) return start < to;
  return start < to && (end ?? start) > from;
}

/**
 * Whether a baseline delivers this event: it changed (Google's `updated`) at or after `since`,
 * when the connection was made. A baseline taken late (Google down, a backlog) thus still
 * delivers what changed between the connection and the listing, and what existed before is
 * not delivered. Google's clock and ours are both NTP time; a change within their skew of
 * the connection may fall either side.
 */
export function changedSince(event: GoogleEvent, since: Date): boolean {
  const updated = Date.parse(event.updated ?? '');
  return !Number.isNaN(updated) && updated >= since.getTime();
}

/** An event time as epoch ms: `dateTime`, or an all-day `date` in the event's zone (UTC when none). */
function instant(time: GoogleEvent['start']): number | undefined {
  if (time?.dateTime) {
    const ms = Date.parse(time.dateTime);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (time?.date) {
    const day = DateTime.fromISO(time.date, { zone: time.timeZone ?? 'UTC' });
    return day.isValid ? day.toMillis() : undefined;
  }
  return undefined;
}
