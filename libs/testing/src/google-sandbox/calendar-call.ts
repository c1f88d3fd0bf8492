import { randomBytes } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { CalendarError, calendarError } from './calendar-error';
import { SandboxHttpRequest } from './http-io';
import { AccountRecord, CalendarRecord } from './store';

/** One authenticated Calendar v3 call, its calendar (when the path names one) already resolved. */
export interface CalendarCall {
  req: SandboxHttpRequest;
  res: ServerResponse;
  account: AccountRecord;
  calendar?: CalendarRecord;
  eventId?: string;
  body: Record<string, unknown>;
}

export function syncToken(): string {
  return randomBytes(12).toString('base64');
}

/** Page size of a list call: `fallback` when absent, at most `max` (Google caps, never refuses, large values). */
export function pageSize(raw: string | null, fallback: number, max: number): number | CalendarError {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    return calendarError(400, `Invalid value '${raw}'. Values must be within the range: [1, ${max}]`, 'invalid');
  }
  return Math.min(Number(raw), max);
}

/** A list's pageToken is the offset of the page's first item (opaque to clients). */
export function pageOffset(raw: string | null): number | CalendarError {
  if (raw === null || raw === '') return 0;
  const text = Buffer.from(raw, 'base64url').toString();
  if (!/^\d+$/.test(text)) return calendarError(400, 'Invalid page token value.', 'invalid');
  return Number(text);
}

/** The page of `items` at `offset`, with nextPageToken while more follow, nextSyncToken on the last page. */
export function page<T>(items: T[], offset: number, size: number): Record<string, unknown> {
  const more = offset + size < items.length;
  return {
    ...(more
      ? { nextPageToken: Buffer.from(String(offset + size)).toString('base64url') }
      : { nextSyncToken: syncToken() }),
    items: items.slice(offset, offset + size),
  };
}
