import { randomBytes } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { CalendarError, calendarError } from './calendar-error';
import { SandboxContext } from './context';
import { SandboxHttpRequest } from './http-io';
import { AccountRecord, CalendarRecord } from './store';

/** One authenticated Calendar v3 call, its calendar (when the path names one) already resolved. */
export interface CalendarCall {
  req: SandboxHttpRequest;
  res: ServerResponse;
  account: AccountRecord;
  calendar?: CalendarRecord;
  /** The calendar id as the path gave it (`primary`, an e-mail, ...). */
  calendarId?: string;
  eventId?: string;
  body: Record<string, unknown>;
  ctx: SandboxContext;
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

/**
 * Where a list's next page starts (opaque to clients): the offset of its first item; for
 * events.list also the change counter the first page saw (`snapshot`, the next sync token's)
 * and, when listing changes, the sync token's counter (`since`), so a pageToken alone goes on.
 */
export interface PageCursor {
  offset: number;
  snapshot?: number;
  since?: number;
}

export function pageCursor(raw: string | null): PageCursor | CalendarError {
  if (raw === null || raw === '') return { offset: 0 };
  const match = /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!match) return calendarError(400, 'Invalid page token value.', 'invalid');
  return {
    offset: Number(match[1]),
    ...(match[2] === undefined ? {} : { snapshot: Number(match[2]) }),
    ...(match[3] === undefined ? {} : { since: Number(match[3]) }),
  };
}

export function pageOffset(raw: string | null): number | CalendarError {
  const cursor = pageCursor(raw);
  return 'code' in cursor ? cursor : cursor.offset;
}

/** How a list ends: the nextSyncToken of its last page (none: left out), and what its pageTokens carry. */
export interface PageEnd {
  nextSyncToken?: string;
  snapshot?: number;
  since?: number;
}

/** The page of `items` at `offset`, with nextPageToken while more follow, nextSyncToken (if any) on the last page. */
export function page<T>(
  items: T[],
  offset: number,
  size: number,
  end: PageEnd = { nextSyncToken: syncToken() },
): Record<string, unknown> {
  const more = offset + size < items.length;
  const cursor = [offset + size, end.snapshot, end.since].filter((n) => n !== undefined).join('.');
  return {
    ...(more
      ? { nextPageToken: Buffer.from(cursor).toString('base64url') }
      : end.nextSyncToken === undefined
        ? {}
        : { nextSyncToken: end.nextSyncToken }),
    items: items.slice(offset, offset + size),
  };
}
