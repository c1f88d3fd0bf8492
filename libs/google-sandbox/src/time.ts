import { SandboxEventDateTime } from './types';

const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An RFC 3339 timestamp with an offset (what timeMin/timeMax must be), as epoch ms. */
export function parseRfc3339(value: string): number | undefined {
  if (!RFC3339_WITH_OFFSET.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Offset of `timeZone` from UTC at `epochMs`, in ms (throws RangeError for an unknown zone). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** A wall-clock time (no offset) in `timeZone`, as epoch ms. */
export function zonedToEpoch(local: string, timeZone: string): number | undefined {
  const naive = Date.parse(`${local}Z`);
  if (Number.isNaN(naive)) return undefined;
  let epoch = naive - zoneOffsetMs(naive, timeZone);
  epoch = naive - zoneOffsetMs(epoch, timeZone);
  return epoch;
}

export type InstantResult = { ok: true; ms: number; allDay: boolean } | { ok: false; reason: string; message: string };

/**
 * The instant an event's start or end stands for: dateTime with offset as is, dateTime
 * without offset in its timeZone, a date at midnight in the calendar's zone.
 */
export function eventInstant(
  value: SandboxEventDateTime,
  calendarTimeZone: string,
  which: 'start' | 'end',
): InstantResult {
  try {
    if (typeof value.dateTime === 'string') {
      const withOffset = parseRfc3339(value.dateTime);
      if (withOffset !== undefined) return { ok: true, ms: withOffset, allDay: false };
      if (!LOCAL_DATE_TIME.test(value.dateTime)) {
        return { ok: false, reason: 'invalid', message: `Invalid ${which} time.` };
      }
      if (!value.timeZone) {
        return { ok: false, reason: 'required', message: `Missing time zone definition for ${which} time.` };
      }
      const ms = zonedToEpoch(value.dateTime, value.timeZone);
      if (ms === undefined) return { ok: false, reason: 'invalid', message: `Invalid ${which} time.` };
      return { ok: true, ms, allDay: false };
    }
    if (typeof value.date === 'string' && DATE.test(value.date)) {
      const ms = zonedToEpoch(`${value.date}T00:00:00`, value.timeZone ?? calendarTimeZone);
      if (ms === undefined) return { ok: false, reason: 'invalid', message: `Invalid ${which} time.` };
      return { ok: true, ms, allDay: true };
    }
    return { ok: false, reason: 'required', message: `Missing ${which} time.` };
  } catch {
    return { ok: false, reason: 'invalid', message: `Invalid time zone definition for ${which} time.` };
  }
}

/** `2024-05-01T10:00:00Z`: Google's UTC form in freeBusy answers. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** Whether Intl knows the IANA zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `2030-03-04T10:00:00+01:00`: the instant as wall-clock time in `timeZone` with its offset
 * (`Z` when the offset is zero), as Google writes dateTimes it generates.
 */
export function formatInZone(ms: number, timeZone: string): string {
  const offset = zoneOffsetMs(ms, timeZone);
  const local = new Date(ms + offset).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * "Floating" time: the wall clock of `timeZone` at `ms`, written as if it were UTC. Recurrence
 * rules are expanded on the wall clock (a weekly 10:00 stays 10:00 across daylight saving).
 */
export function toFloating(ms: number, timeZone: string): number {
  return ms + zoneOffsetMs(ms, timeZone);
}

/** The instant a floating (wall-clock) time stands for in `timeZone`. */
export function fromFloating(floating: number, timeZone: string): number {
  return zonedToEpoch(new Date(floating).toISOString().slice(0, 19), timeZone) ?? floating;
}
