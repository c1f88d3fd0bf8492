import { isValidEventId, newEtag, newEventId } from './ids';
import { AccountRecord } from './store';
import { eventInstant, formatUtc } from './time';
import { SandboxEvent, SandboxEventDateTime } from './types';

export interface CalendarError {
  code: number;
  message: string;
  reason: string;
}

export type EventResult = { ok: true; event: SandboxEvent } | { ok: false; error: CalendarError };

const fail = (code: number, message: string, reason: string): { ok: false; error: CalendarError } => ({
  ok: false,
  error: { code, message, reason },
});

/** Fields Google sets itself: whatever a client sends for them is ignored. */
const READ_ONLY = ['kind', 'etag', 'htmlLink', 'created', 'updated', 'creator', 'iCalUID', 'sequence'];

function isDateTime(value: unknown): value is SandboxEventDateTime {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function htmlLink(id: string, email: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${email}`).toString('base64url')}`;
}

/** Start and end must both be valid, of the same kind, and not in the wrong order. */
function checkTimes(event: Record<string, unknown>, account: AccountRecord): CalendarError | undefined {
  const start = event['start'];
  const end = event['end'];
  if (!isDateTime(start)) return { code: 400, message: 'Missing start time.', reason: 'required' };
  if (!isDateTime(end)) return { code: 400, message: 'Missing end time.', reason: 'required' };
  const from = eventInstant(start, account.timeZone, 'start');
  if (!from.ok) return { code: 400, message: from.message, reason: from.reason };
  const to = eventInstant(end, account.timeZone, 'end');
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

/** events.insert (also used to seed events from tests). */
export function insertEvent(account: AccountRecord, body: Record<string, unknown>): EventResult {
  const timeError = checkTimes(body, account);
  if (timeError) return { ok: false, error: timeError };
  const requestedId = body['id'];
  if (requestedId !== undefined && (typeof requestedId !== 'string' || !isValidEventId(requestedId))) {
    return fail(400, 'Invalid resource id value.', 'invalid');
  }
  const id = typeof requestedId === 'string' ? requestedId : newEventId();
  if (account.events.has(id)) return fail(409, 'The requested identifier already exists.', 'duplicate');
  const now = new Date().toISOString();
  const status = body['status'] === 'tentative' ? 'tentative' : 'confirmed';
  const event: SandboxEvent = {
    reminders: { useDefault: true },
    eventType: 'default',
    ...clientFields(body),
    kind: 'calendar#event',
    etag: newEtag(),
    id,
    status,
    htmlLink: htmlLink(id, account.email),
    created: now,
    updated: now,
    creator: { email: account.email, self: true },
    organizer: { email: account.email, self: true },
    start: body['start'] as SandboxEventDateTime,
    end: body['end'] as SandboxEventDateTime,
    iCalUID: `${id}@google.com`,
    sequence: 0,
  };
  account.events.set(id, event);
  return { ok: true, event };
}

/** events.patch (merge) and events.update (replace). */
export function changeEvent(
  account: AccountRecord,
  eventId: string,
  body: Record<string, unknown>,
  mode: 'patch' | 'update',
): EventResult {
  const current = account.events.get(eventId);
  if (!current) return fail(404, 'Not Found', 'notFound');
  const base: Record<string, unknown> =
    mode === 'patch'
      ? { ...current }
      : Object.fromEntries(
          Object.entries(current).filter(([key]) => READ_ONLY.includes(key) || key === 'id' || key === 'organizer'),
        );
  const next: Record<string, unknown> = { ...base, ...clientFields(body), id: current.id };
  const timeError = checkTimes(next, account);
  if (timeError) return { ok: false, error: timeError };
  const timesChanged = JSON.stringify([next['start'], next['end']]) !== JSON.stringify([current.start, current.end]);
  const event = {
    reminders: { useDefault: true },
    eventType: 'default',
    status: 'confirmed',
    ...next,
    etag: newEtag(),
    updated: new Date().toISOString(),
    sequence: current.sequence + (timesChanged ? 1 : 0),
  } as SandboxEvent;
  account.events.set(eventId, event);
  return { ok: true, event };
}

/** events.delete: the event stays, cancelled (a second delete answers 410 like Google). */
export function deleteEvent(account: AccountRecord, eventId: string): CalendarError | undefined {
  const event = account.events.get(eventId);
  if (!event) return { code: 404, message: 'Not Found', reason: 'notFound' };
  if (event.status === 'cancelled') return { code: 410, message: 'Resource has been deleted', reason: 'deleted' };
  account.events.set(eventId, { ...event, status: 'cancelled', etag: newEtag(), updated: new Date().toISOString() });
  return undefined;
}

/** [start, end) of an event in epoch ms (events are validated on the way in). */
export function eventRange(event: SandboxEvent, account: AccountRecord): { start: number; end: number } {
  const start = eventInstant(event.start, account.timeZone, 'start');
  const end = eventInstant(event.end, account.timeZone, 'end');
  return { start: start.ok ? start.ms : 0, end: end.ok ? end.ms : 0 };
}

/** Busy blocks of the primary calendar in [timeMin, timeMax): opaque, not cancelled, merged, clipped. */
export function busyBlocks(account: AccountRecord, timeMin: number, timeMax: number): { start: string; end: string }[] {
  const ranges = [...account.events.values()]
    .filter((e) => e.status !== 'cancelled' && e.transparency !== 'transparent')
    .map((e) => eventRange(e, account))
    .filter((r) => r.end > timeMin && r.start < timeMax && r.end > r.start)
    .map((r) => ({ start: Math.max(r.start, timeMin), end: Math.min(r.end, timeMax) }))
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map((r) => ({ start: formatUtc(r.start), end: formatUtc(r.end) }));
}
