import { ServerResponse } from 'node:http';
import { CalendarError, calendarError } from './calendar-error';
import { sendJson } from './http-io';
import { CalendarRecord } from './store';

// events.list sync tokens: an opaque string naming the calendar, its token epoch and the change
// counter the list saw. Listing with it answers the events changed after that counter.

/** Google refuses these together with syncToken (events.list reference); they also withhold nextSyncToken. */
export const NOT_WITH_SYNC_TOKEN = [
  'iCalUID',
  'orderBy',
  'privateExtendedProperty',
  'q',
  'sharedExtendedProperty',
  'timeMin',
  'timeMax',
  'updatedMin',
] as const;

const FULL_SYNC_REQUIRED = 'Sync token is no longer valid, a full sync is required.';

export function newSyncToken(calendar: CalendarRecord, seq: number): string {
  return Buffer.from(`gs1.${calendar.resourceId}.${calendar.syncEpoch}.${seq}`).toString('base64url');
}

/** The change counter a token stands for; 'gone' for one this calendar no longer takes (410). */
export function readSyncToken(calendar: CalendarRecord, token: string): number | 'gone' | CalendarError {
  const match = /^gs1\.([A-Za-z0-9]+)\.(\d+)\.(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) return calendarError(400, 'Invalid sync token value.', 'invalid');
  const seq = Number(match[3]);
  // A token of another calendar, of an expired epoch, or from another sandbox's future: start afresh.
  if (match[1] !== calendar.resourceId || Number(match[2]) !== calendar.syncEpoch || seq > calendar.changeSeq) {
    return 'gone';
  }
  return seq;
}

/** The first parameter of the query that Google refuses beside syncToken, if any. */
export function conflictWithSyncToken(q: URLSearchParams): string | undefined {
  return NOT_WITH_SYNC_TOKEN.find((name) => q.has(name));
}

/** Whether a list with this query gets a nextSyncToken (none with a parameter a sync cannot repeat). */
export function yieldsSyncToken(q: URLSearchParams): boolean {
  return conflictWithSyncToken(q) === undefined;
}

/** Google's 410 for a sync token it no longer takes, byte for byte. */
export function sendFullSyncRequired(res: ServerResponse): void {
  sendJson(res, 410, {
    error: {
      code: 410,
      message: FULL_SYNC_REQUIRED,
      errors: [{ domain: 'global', reason: 'fullSyncRequired', message: FULL_SYNC_REQUIRED }],
      status: 'GONE',
    },
  });
}
