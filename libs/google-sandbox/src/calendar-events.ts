import { CalendarError, EventResult, NOT_FOUND, calendarError, fail } from './calendar-error';
import { ConferenceDataVersion, applyConference } from './conference';
import { invitationAttendees, keptAttendees, keptExtendedProperties } from './event-fields';
import { isValidEventId, newEtag, newEventId } from './ids';
import { Occurrence, isRecurring, occurrenceAt, occurrences, recurrenceError } from './recurrence';
import { AccountRecord, CalendarRecord, putEvent } from './store';
import { eventInstant } from './time';
import { SandboxAttendee, SandboxEvent, SandboxEventDateTime } from './types';

/** Fields Google sets itself: whatever a client sends for them is ignored. */
const READ_ONLY = [
  'kind',
  'etag',
  'htmlLink',
  'created',
  'updated',
  'creator',
  'iCalUID',
  'sequence',
  'hangoutLink',
  'recurringEventId',
  'originalStartTime',
];

export interface WriteOptions {
  conferenceDataVersion: ConferenceDataVersion;
  /** Seeding an invitation (insert only): the event is this person's, the account an attendee. */
  invitedBy?: { email: string; displayName?: string };
}

/** An interval in epoch ms; either end may be open. */
export interface TimeWindow {
  from?: number;
  to?: number;
}

function isDateTime(value: unknown): value is SandboxEventDateTime {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function htmlLink(id: string, calendarId: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendarId}`).toString('base64url')}`;
}

/** Start and end must both be valid, of the same kind, and not in the wrong order. */
function checkTimes(event: Record<string, unknown>, timeZone: string): CalendarError | undefined {
  const start = event['start'];
  const end = event['end'];
  if (!isDateTime(start)) return { code: 400, message: 'Missing start time.', reason: 'required' };
  if (!isDateTime(end)) return { code: 400, message: 'Missing end time.', reason: 'required' };
  const from = eventInstant(start, timeZone, 'start');
  if (!from.ok) return { code: 400, message: from.message, reason: from.reason };
  const to = eventInstant(end, timeZone, 'end');
  if (!to.ok) return { code: 400, message: to.message, reason: to.reason };
  if (from.allDay !== to.allDay) {
    return {
      code: 400,
      message: 'Start and end times must either both be date or both be dateTime.',
      reason: 'invalid',
    };
  }
  if (to.ms < from.ms) return { code: 400, message: 'The specified time range is empty.', reason: 'timeRangeEmpty' };
  return undefined;
}

function clientFields(body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!READ_ONLY.includes(key)) fields[key] = value;
  return fields;
}

/** Who organizes an event Google creates: the user on the primary calendar, else the calendar itself. */
function organizerOf(account: AccountRecord, calendar: CalendarRecord): SandboxEvent['organizer'] {
  return calendar.primary
    ? { email: account.email, self: true }
    : { email: calendar.id, displayName: calendar.summary, self: true };
}

/**
 * Sets the attendees and extendedProperties of `event` (about to be stored) as Google keeps
 * them (event-fields.ts); an error for attendees Google refuses.
 */
function applyKeptFields(
  account: AccountRecord,
  event: Record<string, unknown>,
  body: Record<string, unknown>,
  previous: SandboxEvent | undefined,
  mode: 'insert' | 'patch' | 'update',
): CalendarError | undefined {
  const organizer = event['organizer'] as SandboxEvent['organizer'];
  if (mode !== 'patch' || 'attendees' in body) {
    const given =
      mode === 'insert' && organizer.self !== true
        ? invitationAttendees(asAttendees(body), account.email)
        : body['attendees'];
    const attendees = keptAttendees(given, previous?.attendees, {
      accountEmail: account.email,
      organizerEmail: organizer.email,
      setsList: mode === 'insert' || organizer.self === true,
    });
    if (attendees !== undefined && !Array.isArray(attendees)) return attendees;
    if (attendees === undefined) delete event['attendees'];
    else event['attendees'] = attendees;
  }
  const properties = keptExtendedProperties(body['extendedProperties'], previous?.extendedProperties, mode);
  if (properties === undefined) delete event['extendedProperties'];
  else event['extendedProperties'] = properties;
  return undefined;
}

function asAttendees(body: Record<string, unknown>): SandboxAttendee[] | undefined {
  const given = body['attendees'];
  return Array.isArray(given) ? (given as SandboxAttendee[]) : undefined;
}

/** events.insert (also used to seed events from tests). */
export function insertEvent(
  account: AccountRecord,
  calendar: CalendarRecord,
  body: Record<string, unknown>,
  options: WriteOptions,
): EventResult {
  const timeError =
    checkTimes(body, calendar.timeZone) ??
    recurrenceError(
      body['recurrence'],
      body['start'] as SandboxEventDateTime,
      body['end'] as SandboxEventDateTime,
      calendar.timeZone,
    );
  if (timeError) return { ok: false, error: timeError };
  const requestedId = body['id'];
  if (requestedId !== undefined && (typeof requestedId !== 'string' || !isValidEventId(requestedId))) {
    return fail(400, 'Invalid resource id value.', 'invalid');
  }
  const id = typeof requestedId === 'string' ? requestedId : newEventId();
  // Cancelled events stay in the map, so their ids stay taken (as in Google).
  if (calendar.events.has(id)) return fail(409, 'The requested identifier already exists.', 'duplicate');
  const now = new Date().toISOString();
  const status = body['status'] === 'tentative' ? 'tentative' : 'confirmed';
  const event: Record<string, unknown> = {
    reminders: { useDefault: true },
    eventType: 'default',
    ...clientFields(body),
    kind: 'calendar#event',
    etag: newEtag(),
    id,
    status,
    htmlLink: htmlLink(id, calendar.id),
    created: now,
    updated: now,
    creator: options.invitedBy ? { email: options.invitedBy.email } : { email: account.email, self: true },
    organizer: options.invitedBy ? { ...options.invitedBy } : organizerOf(account, calendar),
    start: body['start'] as SandboxEventDateTime,
    end: body['end'] as SandboxEventDateTime,
    iCalUID: `${id}@google.com`,
    sequence: 0,
  };
  const conferenceError =
    applyConference(account, event, body, undefined, options.conferenceDataVersion, 'insert') ??
    applyKeptFields(account, event, body, undefined, 'insert');
  if (conferenceError) return { ok: false, error: conferenceError };
  putEvent(calendar, id, event as SandboxEvent);
  return { ok: true, event: event as SandboxEvent };
}

/** An instance of a series as Google generates it: the series' fields at the occurrence's times. */
function instanceOf(series: SandboxEvent, occurrence: Occurrence, calendar: CalendarRecord): SandboxEvent {
  const { recurrence: _recurrence, ...fields } = series;
  return {
    ...fields,
    id: occurrence.id,
    htmlLink: htmlLink(occurrence.id, calendar.id),
    start: occurrence.start,
    end: occurrence.end,
    recurringEventId: series.id,
    originalStartTime: occurrence.start,
  };
}

/**
 * An event by id: a stored one (single, series, or an instance a client changed or cancelled),
 * else an instance of a series (`<seriesId>_<suffix>`) that the series has.
 */
export function findEvent(calendar: CalendarRecord, eventId: string): SandboxEvent | undefined {
  const stored = calendar.events.get(eventId);
  if (stored) return stored;
  const split = eventId.lastIndexOf('_');
  if (split < 0) return undefined;
  const series = calendar.events.get(eventId.slice(0, split));
  if (!series || !isRecurring(series)) return undefined;
  const occurrence = occurrenceAt(series, calendar.timeZone, eventId.slice(split + 1));
  return occurrence ? instanceOf(series, occurrence, calendar) : undefined;
}

/** Cancels the instances of a series a client had changed, once the series is cancelled. */
function cancelInstances(calendar: CalendarRecord, seriesId: string, now: string): void {
  for (const [id, event] of calendar.events) {
    if (event.recurringEventId === seriesId && event.status !== 'cancelled') {
      putEvent(calendar, id, { ...event, status: 'cancelled', etag: newEtag(), updated: now });
    }
  }
}

/** events.patch (merge) and events.update (replace); on an instance id it stores that instance's exception. */
export function changeEvent(
  account: AccountRecord,
  calendar: CalendarRecord,
  eventId: string,
  body: Record<string, unknown>,
  mode: 'patch' | 'update',
  options: WriteOptions,
): EventResult {
  const current = findEvent(calendar, eventId);
  if (!current) return { ok: false, error: NOT_FOUND };
  const instance = current.recurringEventId !== undefined;
  const fields = clientFields(body);
  // An instance cannot become a series of its own.
  if (instance) delete fields['recurrence'];
  const base: Record<string, unknown> =
    mode === 'patch'
      ? { ...current }
      : Object.fromEntries(
          Object.entries(current).filter(([key]) => READ_ONLY.includes(key) || key === 'id' || key === 'organizer'),
        );
  const next: Record<string, unknown> = { ...base, ...fields, id: current.id };
  const timeError =
    checkTimes(next, calendar.timeZone) ??
    (instance
      ? undefined
      : recurrenceError(
          next['recurrence'],
          next['start'] as SandboxEventDateTime,
          next['end'] as SandboxEventDateTime,
          calendar.timeZone,
        ));
  if (timeError) return { ok: false, error: timeError };
  const timesChanged = JSON.stringify([next['start'], next['end']]) !== JSON.stringify([current.start, current.end]);
  const now = new Date().toISOString();
  const event: Record<string, unknown> = {
    reminders: { useDefault: true },
    eventType: 'default',
    status: 'confirmed',
    ...next,
    etag: newEtag(),
    updated: now,
    sequence: current.sequence + (timesChanged ? 1 : 0),
  };
  const conferenceError =
    applyConference(account, event, body, current, options.conferenceDataVersion, mode) ??
    applyKeptFields(account, event, body, current, mode);
  if (conferenceError) return { ok: false, error: conferenceError };
  const stored = event as SandboxEvent;
  putEvent(calendar, eventId, stored);
  if (stored.status === 'cancelled' && isRecurring(stored)) cancelInstances(calendar, stored.id, now);
  return { ok: true, event: stored };
}

/**
 * events.delete: the event stays, cancelled (a second delete answers 410 like Google). An
 * instance id cancels that instance only; a series id cancels the series with all its instances.
 */
export function deleteEvent(calendar: CalendarRecord, eventId: string): CalendarError | undefined {
  const event = findEvent(calendar, eventId);
  if (!event) return NOT_FOUND;
  if (event.status === 'cancelled') return calendarError(410, 'Resource has been deleted', 'deleted');
  const now = new Date().toISOString();
  putEvent(calendar, eventId, { ...event, status: 'cancelled', etag: newEtag(), updated: now });
  if (isRecurring(event)) cancelInstances(calendar, event.id, now);
  return undefined;
}

/** [start, end) of an event in epoch ms (events are validated on the way in). */
export function eventRange(event: SandboxEvent, calendar: CalendarRecord): { start: number; end: number } {
  const start = eventInstant(event.start, calendar.timeZone, 'start');
  const end = eventInstant(event.end, calendar.timeZone, 'end');
  return { start: start.ok ? start.ms : 0, end: end.ok ? end.ms : 0 };
}

/** Google's overlap rule for timeMin/timeMax: the event ends after `from` and starts before `to`. */
function overlaps(range: { start: number; end: number }, window: TimeWindow): boolean {
  return (window.from === undefined || range.end > window.from) && (window.to === undefined || range.start < window.to);
}

/**
 * events.list with singleEvents=true: single events and the instances of every series (changed
 * instances as stored), never the series themselves. Cancelled ones only with showDeleted.
 */
export function singleEvents(calendar: CalendarRecord, window: TimeWindow, showDeleted: boolean): SandboxEvent[] {
  const found: SandboxEvent[] = [];
  for (const event of calendar.events.values()) {
    if (event.status === 'cancelled' && !showDeleted) continue;
    if (!isRecurring(event)) {
      if (overlaps(eventRange(event, calendar), window)) found.push(event);
      continue;
    }
    for (const occurrence of occurrences(event, calendar.timeZone, window)) {
      // A changed or cancelled instance is stored under its own id and listed as such.
      if (!calendar.events.has(occurrence.id)) found.push(instanceOf(event, occurrence, calendar));
    }
  }
  // Unordered, Google still lists instances much in time order; so does the sandbox (stable for ties).
  const starts = new Map(found.map((e) => [e, eventRange(e, calendar).start]));
  return found.sort((a, b) => (starts.get(a) ?? 0) - (starts.get(b) ?? 0));
}

/**
 * events.list without singleEvents: single events, series (when one of their instances
 * overlaps the window) and changed instances. Like Google, a cancelled instance of a series
 * that is not cancelled is listed even without showDeleted.
 */
export function storedEvents(calendar: CalendarRecord, window: TimeWindow, showDeleted: boolean): SandboxEvent[] {
  const bounded = window.from !== undefined || window.to !== undefined;
  return [...calendar.events.values()].filter((event) => {
    if (event.status === 'cancelled' && !showDeleted) {
      const series = event.recurringEventId === undefined ? undefined : calendar.events.get(event.recurringEventId);
      if (!series || series.status === 'cancelled') return false;
    }
    if (isRecurring(event)) return !bounded || occurrences(event, calendar.timeZone, window, 1).length > 0;
    return overlaps(eventRange(event, calendar), window);
  });
}

/**
 * Busy blocks of a calendar in [timeMin, timeMax): every instance and single event that is not
 * cancelled or transparent (all-day ones from midnight to midnight in the calendar's zone), merged, clipped.
 */
export function busyBlocks(
  calendar: CalendarRecord,
  timeMin: number,
  timeMax: number,
): { start: number; end: number }[] {
  const ranges = singleEvents(calendar, { from: timeMin, to: timeMax }, false)
    .filter((e) => e.transparency !== 'transparent')
    .map((e) => eventRange(e, calendar))
    .filter((r) => r.end > r.start)
    .map((r) => ({ start: Math.max(r.start, timeMin), end: Math.min(r.end, timeMax) }))
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}
