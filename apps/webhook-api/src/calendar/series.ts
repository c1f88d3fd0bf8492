/**
 * Recurring series as Google keeps them (RFC 5545 RRULE / EXRULE / RDATE / EXDATE lines on an
 * event whose start names its zone): their occurrences, and the split of "this and following".
 * The expansion itself is the `rrule` package's; this module only feeds it.
 *
 * Zone rules: a timed series repeats on the wall clock of its start's `timeZone` (a weekly
 * 10:00 Europe/Berlin stays 10:00 local across daylight saving), as Google expands it. So the
 * rules are expanded in "floating" time (the zone's wall clock written as if it were UTC) and
 * each occurrence is turned back into an instant in that zone by Luxon. An all-day series
 * repeats whole days; its occurrences are answered as UTC days (callers that need the
 * calendar's midnights do not use them: `requireFree` refuses all-day events).
 */
import { DateTime, IANAZone } from 'luxon';
import { Frequency, Options, RRule, RRuleSet } from 'rrule';

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
/** What Google repeats events by; finer rules (hourly and below) are not expanded here. */
const FREQUENCIES = new Set<Frequency>([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);

/** A series' first occurrence: `{ dateTime, timeZone }` (timed) or `{ date }` (all-day). */
export interface SeriesTimes {
  start: { dateTime?: string; date?: string; timeZone?: string };
  end: { dateTime?: string; date?: string; timeZone?: string };
}

/** One occurrence, in epoch ms. */
export interface OccurrenceInterval {
  start: number;
  end: number;
}

/** A recurrence (or a series' times) this module cannot expand; the message says why. */
export class RecurrenceError extends Error {}

interface Expansion {
  set: RRuleSet;
  allDay: boolean;
  /** The zone of the wall clock (timed), undefined for all-day. */
  zone?: string;
  /** The first occurrence's start, in floating time. */
  dtstart: number;
  /** Timed: elapsed ms; all-day: whole days in ms. */
  durationMs: number;
}

/**
 * The occurrences that overlap `window` (end after `from`, start before `to`), oldest first,
 * at most `limit`. Throws RecurrenceError for lines or times it cannot expand.
 */
export function occurrencesOf(
  recurrence: readonly string[],
  times: SeriesTimes,
  window: { from: number; to: number },
  limit: number,
): OccurrenceInterval[] {
  const expansion = expand(recurrence, times);
  if (limit <= 0) return [];
  // Floating times differ from instants by less than a day: ask for a little more on each side.
  // (`between`, not an early-stopping `all`: a set yields its RDATEs and each rule in turn, sorting last.)
  const dates = expansion.set.between(
    new Date(window.from - expansion.durationMs - 2 * DAY_MS),
    new Date(window.to + 2 * DAY_MS),
    true,
  );
  return dates
    .map((date) => toInterval(expansion, date.getTime()))
    .filter((occurrence) => occurrence.end > window.from && occurrence.start < window.to)
    .sort((a, b) => a.start - b.start)
    .slice(0, limit);
}

/**
 * "This and following" at the occurrence that starts at `splitAt` (its original start: an
 * instant for a timed series, the UTC midnight of its date for an all-day one): `before`,
 * the original's lines ending just before it (each RRULE gets an UNTIL a second, or a day,
 * earlier, in place of its COUNT or UNTIL), and `after`, the lines of a new series starting
 * there (an RRULE's COUNT less the occurrences it had before; its UNTIL as it was). RDATE and
 * EXDATE values go to the side of the split they fall on; EXRULEs stay on both.
 */
export function splitRecurrence(
  recurrence: readonly string[],
  times: SeriesTimes,
  splitAt: number,
): { before: string[]; after: string[] } {
  const expansion = expand(recurrence, times);
  const before: string[] = [];
  const after: string[] = [];
  const until = expansion.allDay
    ? compactDate(splitAt - DAY_MS)
    : `${compactDate(splitAt - SECOND_MS)}T${compactTime(splitAt - SECOND_MS)}Z`;
  const splitFloating = expansion.allDay ? splitAt : toFloating(splitAt, expansion.zone ?? 'UTC');
  for (const raw of recurrence) {
    const line = raw.trim();
    const rule = /^(RRULE|EXRULE):(.+)$/i.exec(line);
    if (rule) {
      const [, kind = '', text = ''] = rule;
      if (kind.toUpperCase() === 'EXRULE') {
        before.push(line);
        after.push(line);
        continue;
      }
      const parts = text.split(';').filter((part) => !/^(COUNT|UNTIL)=/i.test(part));
      before.push(`${kind}:${[...parts, `UNTIL=${until}`].join(';')}`);
      const count = /(?:^|;)COUNT=(\d+)/i.exec(text)?.[1];
      if (count === undefined) {
        after.push(line);
        continue;
      }
      const ruleAlone = new RRule({ ...ruleOptions(text, expansion), dtstart: new Date(expansion.dtstart) });
      const used = ruleAlone.between(new Date(expansion.dtstart - 1), new Date(splitFloating), false).length;
      const left = Number(count) - used;
      if (left > 0) after.push(`${kind}:${[...parts, `COUNT=${left}`].join(';')}`);
      continue;
    }
    const dates = datesLine(line);
    const [early, late] = [[], []] as [string[], string[]];
    for (const value of dates.values) {
      (floatingDate(value, dates.tzid, expansion) < splitFloating ? early : late).push(value);
    }
    if (early.length > 0) before.push(`${dates.head}:${early.join(',')}`);
    if (late.length > 0) after.push(`${dates.head}:${late.join(',')}`);
  }
  return { before, after };
}

/** The rules as an RRuleSet in floating time, with what turns its dates back into instants. */
function expand(recurrence: readonly string[], times: SeriesTimes): Expansion {
  const base = seriesBase(times);
  const set = new RRuleSet();
  for (const raw of recurrence) {
    const line = raw.trim();
    const rule = /^(RRULE|EXRULE):(.+)$/i.exec(line);
    if (rule) {
      const [, kind = '', text = ''] = rule;
      let built: RRule;
      try {
        built = new RRule({ ...ruleOptions(text, base), dtstart: new Date(base.dtstart) });
      } catch (error) {
        if (error instanceof RecurrenceError) throw error;
        throw new RecurrenceError(`recurrence line ${JSON.stringify(line)} is not a rule that can be expanded`);
      }
      if (kind.toUpperCase() === 'RRULE') set.rrule(built);
      else set.exrule(built);
      continue;
    }
    const dates = datesLine(line);
    for (const value of dates.values) {
      const floating = new Date(floatingDate(value, dates.tzid, base));
      if (dates.kind === 'EXDATE') set.exdate(floating);
      else set.rdate(floating);
    }
  }
  if (set.rrules().length === 0 && set.rdates().length === 0) {
    throw new RecurrenceError('recurrence needs an RRULE or RDATE line');
  }
  return { ...base, set };
}

/** The series' zone, its first start in floating time and its length. */
function seriesBase(times: SeriesTimes): Omit<Expansion, 'set'> {
  const { start, end } = times;
  if (start.date !== undefined || end.date !== undefined) {
    const from = Date.parse(`${start.date ?? ''}T00:00:00Z`);
    const to = Date.parse(`${end.date ?? ''}T00:00:00Z`);
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
      throw new RecurrenceError('an all-day series needs start and end dates, the end after the start');
    }
    return { allDay: true, dtstart: from, durationMs: to - from };
  }
  const zone = start.timeZone;
  if (!zone || !IANAZone.isValidZone(zone)) {
    throw new RecurrenceError('a timed series needs the IANA time zone of its start');
  }
  const from = Date.parse(start.dateTime ?? '');
  const to = Date.parse(end.dateTime ?? '');
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    throw new RecurrenceError('a timed series needs start and end times, the end after the start');
  }
  return { allDay: false, zone, dtstart: toFloating(from, zone), durationMs: to - from };
}

/** An RRULE's text as rrule options in floating time (UNTIL converted); RecurrenceError when it is not one. */
function ruleOptions(text: string, base: Omit<Expansion, 'set'>): Partial<Options> {
  const problem = () =>
    new RecurrenceError(`recurrence rule ${JSON.stringify(text)} is not a rule that can be expanded`);
  let options: Partial<Options>;
  try {
    options = RRule.parseString(text);
  } catch {
    throw problem();
  }
  if (options.freq === undefined || options.freq === null || !FREQUENCIES.has(options.freq)) throw problem();
  if (options.dtstart || options.tzid) throw problem();
  for (const value of [options.count, options.interval]) {
    if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 1)) throw problem();
  }
  const until = /(?:^|;)UNTIL=([^;]*)/i.exec(text)?.[1];
  if (until !== undefined) {
    const parsed = options.until?.getTime();
    if (parsed === undefined || Number.isNaN(parsed)) throw problem();
    if (/^\d{8}$/.test(until)) {
      // A date: through the end of that day.
      options.until = new Date(base.allDay ? parsed : parsed + DAY_MS - SECOND_MS);
    } else if (/^\d{8}T\d{6}Z$/i.test(until)) {
      options.until = new Date(base.allDay ? parsed : toFloating(parsed, base.zone ?? 'UTC'));
    } else if (!/^\d{8}T\d{6}$/.test(until)) {
      throw problem();
    }
  }
  return options;
}

interface DatesLine {
  kind: 'RDATE' | 'EXDATE';
  /** The line up to its colon (`EXDATE;TZID=Europe/Berlin`). */
  head: string;
  tzid?: string;
  values: string[];
}

function datesLine(line: string): DatesLine {
  const match = /^(EXDATE|RDATE)((?:;[^:;]+=[^:;]+)*):(.+)$/i.exec(line);
  if (!match)
    throw new RecurrenceError(`recurrence line ${JSON.stringify(line)} is not an RRULE, EXRULE, RDATE or EXDATE`);
  const [, kind = '', params = '', values = ''] = match;
  const tzid = /;TZID=([^;:]+)/i.exec(params)?.[1];
  return {
    kind: kind.toUpperCase() as DatesLine['kind'],
    head: `${kind}${params}`,
    ...(tzid ? { tzid } : {}),
    values: values.split(',').map((value) => value.trim()),
  };
}

/** An RDATE / EXDATE value (`20270104`, `20270104T100000`, `20270104T090000Z`) in the series' floating time. */
function floatingDate(value: string, tzid: string | undefined, base: Omit<Expansion, 'set'>): number {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/i.exec(value);
  if (!match) throw new RecurrenceError(`recurrence date ${JSON.stringify(value)} is not a date or date-time`);
  const [, year, month, day, hour, minute, second, utc] = match;
  const date = Date.UTC(Number(year), Number(month) - 1, Number(day));
  if (base.allDay) return date;
  // A bare date on a timed series names that day's occurrence (at the series' time of day).
  if (hour === undefined) return date + (base.dtstart - Math.floor(base.dtstart / DAY_MS) * DAY_MS);
  const local = date + ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * SECOND_MS;
  const zone = base.zone ?? 'UTC';
  if (utc) return toFloating(local, zone);
  if (tzid && tzid !== zone) {
    if (!IANAZone.isValidZone(tzid)) throw new RecurrenceError(`unknown time zone ${JSON.stringify(tzid)}`);
    return toFloating(fromFloating(local, tzid), zone);
  }
  return local;
}

function toInterval(expansion: Expansion, floating: number): OccurrenceInterval {
  if (expansion.allDay) return { start: floating, end: floating + expansion.durationMs };
  const start = fromFloating(floating, expansion.zone ?? 'UTC');
  return { start, end: start + expansion.durationMs };
}

/** The wall clock of `instant` in `zone`, written as a UTC time. */
function toFloating(instant: number, zone: string): number {
  const local = DateTime.fromMillis(instant, { zone });
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
}

/** The instant whose wall clock in `zone` is `floating` (a time in a spring-forward gap moves forward). */
function fromFloating(floating: number, zone: string): number {
  const wall = new Date(floating);
  return DateTime.fromObject(
    {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
      millisecond: wall.getUTCMilliseconds(),
    },
    { zone },
  ).toMillis();
}

function compactDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

function compactTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19).replace(/:/g, '');
}
