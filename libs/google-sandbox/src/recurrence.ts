import { Frequency, Options, RRule, RRuleSet } from 'rrule';
import { CalendarError, calendarError } from './calendar-error';
import { eventInstant, formatInZone, fromFloating, isTimeZone, toFloating } from './time';
import { SandboxEvent, SandboxEventDateTime } from './types';

// A series is expanded on the wall clock of its zone ("floating" times, see time.ts), so a
// weekly 10:00 in Europe/Berlin stays 10:00 local across daylight saving, as in Google.

const DAY_MS = 86_400_000;
/** An endless series listed without timeMax yields at most this many instances per call. */
export const MAX_INSTANCES = 1000;
/** Occurrences looked at per series and call, whatever the window (a guard, not a Google rule). */
const MAX_STEPS = 100_000;
const INVALID_RULE = calendarError(400, 'Invalid recurrence rule.', 'invalid');
const FREQUENCIES = new Set<Frequency>([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);

export interface Occurrence {
  /** `<seriesId>_<YYYYMMDDTHHMMSSZ>` (its original start in UTC) or `<seriesId>_<YYYYMMDD>` (all-day). */
  id: string;
  start: SandboxEventDateTime;
  end: SandboxEventDateTime;
  startMs: number;
  endMs: number;
}

interface Series {
  set: RRuleSet;
  allDay: boolean;
  /** The start's timeZone (timed) or the calendar's (all-day). */
  timeZone: string;
  endTimeZone: string;
  /** Timed: the events' length in ms; all-day: whole days, in floating ms. */
  durationMs: number;
}

/** A series (not one of its instances): a non-empty `recurrence`. */
export function isRecurring(event: SandboxEvent): boolean {
  return Array.isArray(event.recurrence) && event.recurrence.length > 0 && event.recurringEventId === undefined;
}

/** Why Google would refuse this recurrence for an event with these times, if it would. */
export function recurrenceError(
  recurrence: unknown,
  start: SandboxEventDateTime,
  end: SandboxEventDateTime,
  calendarTimeZone: string,
): CalendarError | undefined {
  if (recurrence === undefined || recurrence === null) return undefined;
  if (!Array.isArray(recurrence) || recurrence.some((line) => typeof line !== 'string')) return INVALID_RULE;
  if (recurrence.length === 0) return undefined;
  const series = parseSeries(recurrence as string[], start, end, calendarTimeZone);
  return 'set' in series ? undefined : series;
}

const parsed = new WeakMap<SandboxEvent, Series | undefined>();

/** Stored events are replaced, never mutated, on a change: caching by object is safe. */
function seriesOf(event: SandboxEvent, calendarTimeZone: string): Series | undefined {
  if (!isRecurring(event)) return undefined;
  if (!parsed.has(event)) {
    const series = parseSeries(event.recurrence ?? [], event.start, event.end, calendarTimeZone);
    parsed.set(event, 'set' in series ? series : undefined);
  }
  return parsed.get(event);
}

/**
 * The series' occurrences that overlap [from, to) (end after `from`, start before `to`), oldest
 * first; at most `limit`.
 */
export function occurrences(
  event: SandboxEvent,
  calendarTimeZone: string,
  window: { from?: number; to?: number },
  limit = MAX_INSTANCES,
): Occurrence[] {
  const series = seriesOf(event, calendarTimeZone);
  if (!series) return [];
  const found: Occurrence[] = [];
  let steps = 0;
  series.set.all((date) => {
    steps += 1;
    const floating = date.getTime();
    // Floating times differ from instants by at most a day: stop well past the window.
    if (window.to !== undefined && floating > window.to + 2 * DAY_MS) return false;
    const occurrence = toOccurrence(series, event.id, floating);
    if (
      (window.from === undefined || occurrence.endMs > window.from) &&
      (window.to === undefined || occurrence.startMs < window.to)
    ) {
      found.push(occurrence);
    }
    return found.length < limit && steps < MAX_STEPS;
  });
  return found;
}

/** The occurrence an instance id suffix (`20301204T090000Z`, `20301204`) names, if the series has it. */
export function occurrenceAt(event: SandboxEvent, calendarTimeZone: string, suffix: string): Occurrence | undefined {
  const series = seriesOf(event, calendarTimeZone);
  if (!series) return undefined;
  let floating: number;
  if (series.allDay) {
    const day = /^(\d{4})(\d{2})(\d{2})$/.exec(suffix);
    if (!day) return undefined;
    floating = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  } else {
    const time = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(suffix);
    if (!time) return undefined;
    const utc = Date.UTC(
      Number(time[1]),
      Number(time[2]) - 1,
      Number(time[3]),
      Number(time[4]),
      Number(time[5]),
      Number(time[6]),
    );
    floating = toFloating(utc, series.timeZone);
  }
  if (Number.isNaN(floating)) return undefined;
  const hit = series.set
    .between(new Date(floating - 1000), new Date(floating + 1000), true)
    .some((date) => date.getTime() === floating);
  if (!hit) return undefined;
  const occurrence = toOccurrence(series, event.id, floating);
  return occurrence.id === `${event.id}_${suffix}` ? occurrence : undefined;
}

function toOccurrence(series: Series, seriesId: string, floating: number): Occurrence {
  if (series.allDay) {
    const startDate = isoDate(floating);
    const endDate = isoDate(floating + series.durationMs);
    return {
      id: `${seriesId}_${startDate.replace(/-/g, '')}`,
      start: { date: startDate },
      end: { date: endDate },
      startMs: fromFloating(floating, series.timeZone),
      endMs: fromFloating(floating + series.durationMs, series.timeZone),
    };
  }
  const startMs = fromFloating(floating, series.timeZone);
  const endMs = startMs + series.durationMs;
  return {
    id: `${seriesId}_${new Date(startMs).toISOString().replace(/[-:]|\.\d{3}/g, '')}`,
    start: { dateTime: formatInZone(startMs, series.timeZone), timeZone: series.timeZone },
    end: { dateTime: formatInZone(endMs, series.endTimeZone), timeZone: series.endTimeZone },
    startMs,
    endMs,
  };
}

function isoDate(floating: number): string {
  return new Date(floating).toISOString().slice(0, 10);
}

function parseSeries(
  lines: string[],
  start: SandboxEventDateTime,
  end: SandboxEventDateTime,
  calendarTimeZone: string,
): Series | CalendarError {
  const from = eventInstant(start, calendarTimeZone, 'start');
  const to = eventInstant(end, calendarTimeZone, 'end');
  if (!from.ok || !to.ok) return INVALID_RULE;
  let series: Omit<Series, 'set'>;
  let dtstart: number;
  if (from.allDay) {
    dtstart = Date.parse(`${start.date ?? ''}T00:00:00Z`);
    const dtend = Date.parse(`${end.date ?? ''}T00:00:00Z`);
    series = {
      allDay: true,
      timeZone: calendarTimeZone,
      endTimeZone: calendarTimeZone,
      durationMs: dtend - dtstart,
    };
  } else {
    // Google expands a timed series in its start's zone, which must therefore be named.
    if (!start.timeZone) return calendarError(400, 'Missing time zone definition for start time.', 'required');
    if (!isTimeZone(start.timeZone)) {
      return calendarError(400, 'Invalid time zone definition for start time.', 'invalid');
    }
    const endTimeZone = end.timeZone ?? start.timeZone;
    if (!isTimeZone(endTimeZone)) return calendarError(400, 'Invalid time zone definition for end time.', 'invalid');
    dtstart = toFloating(from.ms, start.timeZone);
    series = { allDay: false, timeZone: start.timeZone, endTimeZone, durationMs: to.ms - from.ms };
  }

  const set = new RRuleSet();
  for (const line of lines) {
    const rule = /^(RRULE|EXRULE):(.+)$/i.exec(line.trim());
    if (rule) {
      const options = ruleOptions(rule[2] ?? '', series);
      if (!options) return INVALID_RULE;
      try {
        const built = new RRule({ ...options, dtstart: new Date(dtstart) });
        if ((rule[1] ?? '').toUpperCase() === 'RRULE') set.rrule(built);
        else set.exrule(built);
      } catch {
        return INVALID_RULE;
      }
      continue;
    }
    const dates = /^(EXDATE|RDATE)((?:;[^:;]+=[^:;]+)*):(.+)$/i.exec(line.trim());
    if (!dates) return INVALID_RULE;
    const tzid = /;TZID=([^;:]+)/i.exec(dates[2] ?? '')?.[1];
    for (const value of (dates[3] ?? '').split(',')) {
      const floating = floatingDate(value.trim(), tzid, series, dtstart);
      if (floating === undefined) return INVALID_RULE;
      if ((dates[1] ?? '').toUpperCase() === 'EXDATE') set.exdate(new Date(floating));
      else set.rdate(new Date(floating));
    }
  }
  if (set.rrules().length === 0 && set.rdates().length === 0) return INVALID_RULE;
  return { ...series, set };
}

/** RRULE text to rrule options in floating time; undefined for a rule Google would refuse. */
function ruleOptions(text: string, series: Omit<Series, 'set'>): Partial<Options> | undefined {
  let options: Partial<Options>;
  try {
    options = RRule.parseString(text);
  } catch {
    return undefined;
  }
  if (options.freq === undefined || options.freq === null || !FREQUENCIES.has(options.freq)) return undefined;
  if (options.dtstart || options.tzid) return undefined;
  const days: unknown = options.byweekday;
  if (Array.isArray(days) && days.some((d: unknown) => d === undefined || d === null)) return undefined;
  for (const value of [options.count, options.interval]) {
    if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 1)) return undefined;
  }
  const until = /(?:^|;)UNTIL=([^;]*)/i.exec(text)?.[1];
  if (until !== undefined) {
    if (options.count !== undefined && options.count !== null) return undefined;
    const parsedUntil = options.until?.getTime();
    if (parsedUntil === undefined || Number.isNaN(parsedUntil)) return undefined;
    let floating: number;
    if (/^\d{8}$/.test(until)) {
      // A date: through the end of that day.
      floating = series.allDay ? parsedUntil : parsedUntil + DAY_MS - 1000;
    } else if (/^\d{8}T\d{6}Z$/i.test(until)) {
      floating = series.allDay ? parsedUntil : toFloating(parsedUntil, series.timeZone);
    } else if (/^\d{8}T\d{6}$/.test(until)) {
      floating = parsedUntil;
    } else {
      return undefined;
    }
    options.until = new Date(floating);
  }
  return options;
}

/** An EXDATE / RDATE value (`20301204`, `20301204T100000`, `20301204T090000Z`) in floating time. */
function floatingDate(
  value: string,
  tzid: string | undefined,
  series: Omit<Series, 'set'>,
  dtstart: number,
): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/i.exec(value);
  if (!match) return undefined;
  const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (series.allDay) return day;
  // A bare date on a timed series names that day's occurrence (at the series' time of day).
  if (match[4] === undefined) return day + (dtstart - Math.floor(dtstart / DAY_MS) * DAY_MS);
  const local = day + ((Number(match[4]) * 60 + Number(match[5])) * 60 + Number(match[6])) * 1000;
  if (match[7]) return toFloating(local, series.timeZone);
  if (tzid && tzid !== series.timeZone) {
    if (!isTimeZone(tzid)) return undefined;
    return toFloating(fromFloating(local, tzid), series.timeZone);
  }
  return local;
}
