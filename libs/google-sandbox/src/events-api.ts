import { CalendarCall, PageEnd, page, pageCursor, pageSize } from './calendar-call';
import { CalendarError, NOT_FOUND, calendarError, sendCalendarError } from './calendar-error';
import {
  TimeWindow,
  WriteOptions,
  changeEvent,
  deleteEvent,
  findEvent,
  insertEvent,
  singleEvents,
  storedEvents,
} from './calendar-events';
import { sendJson, sendNoContent } from './http-io';
import { newEtag } from './ids';
import { isRecurring } from './recurrence';
import { CalendarRecord } from './store';
import {
  conflictWithSyncToken,
  newSyncToken,
  readSyncToken,
  sendFullSyncRequired,
  yieldsSyncToken,
} from './sync-tokens';
import { eventInstant, parseRfc3339 } from './time';
import { SandboxEvent } from './types';

// Calendar v3 events.* on one calendar (handleCalendar has resolved it and checked the access role).

const SEND_UPDATES = ['all', 'externalOnly', 'none'];

function invalidParameter(name: string, value: string): CalendarError {
  return calendarError(400, `Invalid value for ${name}: ${value}`, 'invalidParameter');
}

/** sendUpdates (insert, patch, update, delete): one of Google's three values when given. */
function sendUpdatesError(q: URLSearchParams): CalendarError | undefined {
  const sendUpdates = q.get('sendUpdates');
  return sendUpdates === null || SEND_UPDATES.includes(sendUpdates)
    ? undefined
    : invalidParameter('sendUpdates', sendUpdates);
}

function writeOptions(q: URLSearchParams): WriteOptions | CalendarError {
  const error = sendUpdatesError(q);
  if (error) return error;
  const version = q.get('conferenceDataVersion');
  if (version === null || version === '0') return { conferenceDataVersion: 0 };
  if (version === '1') return { conferenceDataVersion: 1 };
  return invalidParameter('conferenceDataVersion', version);
}

function extendedPropertyFilter(event: SandboxEvent, kind: 'private' | 'shared', filters: string[]): boolean {
  const props =
    (event['extendedProperties'] as Record<string, Record<string, string> | undefined> | undefined)?.[kind] ?? {};
  return filters.every((filter) => {
    const eq = filter.indexOf('=');
    return eq > 0 && props[filter.slice(0, eq)] === filter.slice(eq + 1);
  });
}

/** The timeMin / timeMax window of a list call; an error for a bad or empty one. */
function timeWindow(q: URLSearchParams): TimeWindow | CalendarError {
  const timeMinText = q.get('timeMin');
  const timeMaxText = q.get('timeMax');
  const timeMin = timeMinText === null ? undefined : parseRfc3339(timeMinText);
  const timeMax = timeMaxText === null ? undefined : parseRfc3339(timeMaxText);
  if ((timeMinText !== null && timeMin === undefined) || (timeMaxText !== null && timeMax === undefined)) {
    return calendarError(400, 'Bad Request', 'badRequest');
  }
  if (timeMin !== undefined && timeMax !== undefined && timeMax <= timeMin) {
    return calendarError(400, 'The specified time range is empty.', 'timeRangeEmpty');
  }
  return {
    ...(timeMin === undefined ? {} : { from: timeMin }),
    ...(timeMax === undefined ? {} : { to: timeMax }),
  };
}

/**
 * A cancelled event as events.list and events.instances give it: Google guarantees only its
 * `id` (a deleted event's details stay for events.get alone), and a cancelled instance of a
 * series that is not cancelled keeps what names the occurrence, `recurringEventId` and
 * `originalStartTime`. Other events as stored.
 */
function listed(calendar: CalendarRecord, event: SandboxEvent): Record<string, unknown> {
  if (event.status !== 'cancelled') return event;
  const series = event.recurringEventId === undefined ? undefined : calendar.events.get(event.recurringEventId);
  return {
    kind: event.kind,
    etag: event.etag,
    id: event.id,
    status: event.status,
    ...(series && series.status !== 'cancelled'
      ? { recurringEventId: event.recurringEventId, originalStartTime: event.originalStartTime }
      : {}),
  };
}

/** The fields every events.list and events.instances answer starts with. */
function listHeader(calendar: CalendarRecord): Record<string, unknown> {
  return {
    kind: 'calendar#events',
    etag: newEtag(),
    summary: calendar.summary,
    description: calendar.description ?? '',
    updated: new Date().toISOString(),
    timeZone: calendar.timeZone,
    accessRole: calendar.accessRole,
    defaultReminders: calendar.primary ? [{ method: 'popup', minutes: 10 }] : [],
  };
}

/** The events a list call selects, in Google's order for its orderBy; an error for a bad query. */
function selectEvents(calendar: CalendarRecord, q: URLSearchParams): SandboxEvent[] | CalendarError {
  const window = timeWindow(q);
  if ('code' in window) return window;
  const singleEventsOnly = q.get('singleEvents') === 'true';
  const orderBy = q.get('orderBy');
  if (orderBy === 'startTime' && !singleEventsOnly) {
    return calendarError(400, 'The requested ordering is not available for the particular query.', 'badRequest');
  }
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') return invalidParameter('orderBy', orderBy);
  const text = q.get('q')?.toLowerCase();
  const showDeleted = q.get('showDeleted') === 'true';
  const iCalUID = q.get('iCalUID');

  const candidates = singleEventsOnly
    ? singleEvents(calendar, window, showDeleted)
    : storedEvents(calendar, window, showDeleted);
  const events = candidates.filter((e) => {
    if (iCalUID !== null && e.iCalUID !== iCalUID) return false;
    if (text && ![e.summary, e.description, e.location].some((f) => f?.toLowerCase().includes(text))) return false;
    return (
      extendedPropertyFilter(e, 'private', q.getAll('privateExtendedProperty')) &&
      extendedPropertyFilter(e, 'shared', q.getAll('sharedExtendedProperty'))
    );
  });
  // orderBy=startTime needs singleEvents, whose events come in start order already.
  if (orderBy === 'updated') events.sort((a, b) => a.updated.localeCompare(b.updated));
  return events;
}

/**
 * The events changed after change `since` (a sync token's), cancelled ones included, as Google
 * lists them for syncToken: in the order they were created (stable while a client pages); with
 * singleEvents a changed series comes as its instances.
 */
function changedEvents(calendar: CalendarRecord, since: number, expand: boolean): SandboxEvent[] {
  const changed = (id: string): boolean => (calendar.changedSeq.get(id) ?? 0) > since;
  if (!expand) return [...calendar.events.entries()].filter(([id]) => changed(id)).map(([, event]) => event);
  return singleEvents(calendar, {}, true).filter((event) =>
    calendar.events.has(event.id)
      ? changed(event.id)
      : event.recurringEventId !== undefined && changed(event.recurringEventId),
  );
}

/** The change counter a syncToken list starts after; undefined for a full list; an error to answer. */
function syncStart(
  calendar: CalendarRecord,
  q: URLSearchParams,
  cursorSince: number | undefined,
): { since?: number } | CalendarError | 'gone' {
  const token = q.get('syncToken');
  if (token === null || token === '') return cursorSince === undefined ? {} : { since: cursorSince };
  const conflict = conflictWithSyncToken(q);
  if (conflict !== undefined) {
    return calendarError(400, `The parameter ${conflict} cannot be used together with syncToken.`, 'invalid');
  }
  if (q.get('showDeleted') === 'false') {
    return calendarError(400, 'showDeleted cannot be false together with syncToken.', 'invalid');
  }
  const seq = readSyncToken(calendar, token);
  if (typeof seq !== 'number') return seq;
  // A pageToken of the same listing carries where it started.
  return { since: cursorSince ?? seq };
}

/**
 * events.list: a full listing (nextSyncToken on its last page unless a parameter a sync cannot
 * repeat was given), or with syncToken the changes since that token. Pages carry the change
 * counter of the first page, so changes made while a client pages reach its next sync.
 */
export function listEvents({ req, res, calendar }: CalendarCall): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  const q = req.url.searchParams;
  const size = pageSize(q.get('maxResults'), 250, 2500);
  if (typeof size !== 'number') return sendCalendarError(res, size);
  const cursor = pageCursor(q.get('pageToken'));
  if ('code' in cursor) return sendCalendarError(res, cursor);
  const start = syncStart(calendar, q, cursor.since);
  if (start === 'gone') return sendFullSyncRequired(res);
  if ('code' in start) return sendCalendarError(res, start);
  const events =
    start.since === undefined
      ? selectEvents(calendar, q)
      : changedEvents(calendar, start.since, q.get('singleEvents') === 'true');
  if (!Array.isArray(events)) return sendCalendarError(res, events);
  const snapshot = cursor.snapshot ?? calendar.changeSeq;
  const end: PageEnd = {
    snapshot,
    ...(start.since === undefined ? {} : { since: start.since }),
    ...(start.since !== undefined || yieldsSyncToken(q) ? { nextSyncToken: newSyncToken(calendar, snapshot) } : {}),
  };
  const items = events.map((event) => listed(calendar, event));
  sendJson(res, 200, { ...listHeader(calendar), ...page(items, cursor.offset, size, end) });
}

/** Whether an instance's original start is `text`: an instant (any offset), or the date of an all-day one. */
function hasOriginalStart(event: SandboxEvent, text: string, calendar: CalendarRecord): boolean {
  const original = event.originalStartTime ?? event.start;
  if (original.date !== undefined) return original.date === text;
  const at = eventInstant(original, calendar.timeZone, 'start');
  return at.ok && at.ms === parseRfc3339(text);
}

/**
 * events.instances: the instances of a series in start order, as events.list with
 * singleEvents lists them (changed ones as stored, cancelled ones only with showDeleted), in
 * the timeMin/timeMax window, or the one with `originalStart`; paged, never with a
 * nextSyncToken. **Sandbox rule**: an event that is not a series is its own only instance.
 */
export function listInstances({ req, res, calendar, eventId }: CalendarCall): void {
  const event = calendar && eventId !== undefined ? findEvent(calendar, eventId) : undefined;
  if (!calendar || !event) return sendCalendarError(res, NOT_FOUND);
  const q = req.url.searchParams;
  const size = pageSize(q.get('maxResults'), 250, 2500);
  if (typeof size !== 'number') return sendCalendarError(res, size);
  const cursor = pageCursor(q.get('pageToken'));
  if ('code' in cursor) return sendCalendarError(res, cursor);
  const window = timeWindow(q);
  if ('code' in window) return sendCalendarError(res, window);
  const originalStart = q.get('originalStart');
  const series = isRecurring(event) && calendar.events.get(event.id) === event;
  const instances = singleEvents(calendar, window, q.get('showDeleted') === 'true').filter(
    (e) =>
      (series ? e.recurringEventId === event.id : e.id === event.id) &&
      (originalStart === null || hasOriginalStart(e, originalStart, calendar)),
  );
  const items = instances.map((e) => listed(calendar, e));
  sendJson(res, 200, { ...listHeader(calendar), ...page(items, cursor.offset, size, {}) });
}

export function insert({ req, res, account, calendar, body }: CalendarCall): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  const options = writeOptions(req.url.searchParams);
  if ('code' in options) return sendCalendarError(res, options);
  const result = insertEvent(account, calendar, body, options);
  if (!result.ok) return sendCalendarError(res, result.error);
  sendJson(res, 200, result.event);
}

export function getEvent({ res, calendar, eventId }: CalendarCall): void {
  // A cancelled event is still answered (status cancelled), as Google does.
  const event = calendar && eventId !== undefined ? findEvent(calendar, eventId) : undefined;
  if (!event) return sendCalendarError(res, NOT_FOUND);
  sendJson(res, 200, event);
}

export function change({ req, res, account, calendar, eventId, body }: CalendarCall, mode: 'patch' | 'update'): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  const options = writeOptions(req.url.searchParams);
  if ('code' in options) return sendCalendarError(res, options);
  const result = changeEvent(account, calendar, eventId ?? '', body, mode, options);
  if (!result.ok) return sendCalendarError(res, result.error);
  sendJson(res, 200, result.event);
}

export function remove({ req, res, calendar, eventId }: CalendarCall): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  const error = sendUpdatesError(req.url.searchParams) ?? deleteEvent(calendar, eventId ?? '');
  if (error) return sendCalendarError(res, error);
  sendNoContent(res);
}
