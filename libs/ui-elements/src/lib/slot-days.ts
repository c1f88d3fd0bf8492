import type { Slot } from '@connector-service/api-client';

/** One slot as the picker shows it: times on the wall clock of the chosen time zone. */
export interface SlotView {
  readonly slot: Slot;
  /** Unique in a list: the slot's start instant. */
  readonly key: string;
  /** `09:30`: 24-hour, whatever the locale, so the name a screen reader (or test) finds is predictable. */
  readonly startLabel: string;
  readonly endLabel: string;
  /** `09:30 to 10:00, Monday 7 December`: starts with the visible text (WCAG "label in name"). */
  readonly accessibleName: string;
}

/** The slots of one local day, under a heading. */
export interface SlotDay {
  /** `2026-12-07`, the local date in the chosen time zone. */
  readonly key: string;
  readonly heading: string;
  readonly slots: readonly SlotView[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Groups slots by their local day in `timeZone`, in start order. The time zone decides the day:
 * a slot at 23:30 in New York is the next morning in Berlin and moves to that day's heading.
 */
export function groupSlotsByDay(slots: readonly Slot[], timeZone: string, locale?: string): SlotDay[] {
  const heading = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone });
  const days = new Map<string, { heading: string; slots: SlotView[] }>();
  const ordered = [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  for (const slot of ordered) {
    const start = new Date(slot.start);
    const key = localDate(start, timeZone);
    let day = days.get(key);
    if (!day) {
      day = { heading: heading.format(start), slots: [] };
      days.set(key, day);
    }
    const startLabel = clockTime(start, timeZone);
    const endLabel = clockTime(new Date(slot.end), timeZone);
    day.slots.push({
      slot,
      key: slot.start,
      startLabel,
      endLabel,
      accessibleName: `${startLabel} to ${endLabel}, ${day.heading}`,
    });
  }
  return [...days].map(([key, day]) => ({ key, heading: day.heading, slots: day.slots }));
}

/** `09:30`: the wall-clock time of an instant in a time zone, 24-hour with leading zeros. */
export function clockTime(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

/** `2026-12-07`: the local date of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A range of whole minutes as RFC 3339 UTC (`2026-12-07T08:15:00Z`), as the availability route takes it. */
export interface SlotRange {
  readonly timeMin: string;
  readonly timeMax: string;
}

/**
 * The `page`-th range of `days` days from now: page 0 is "the coming week" (from this minute on,
 * since nothing earlier is bookable), page 1 the week after it, and so on.
 */
export function rangeFrom(now: Date, page: number, days = 7): SlotRange {
  const startOfMinute = Math.floor(now.getTime() / 60000) * 60000;
  const start = startOfMinute + page * days * DAY_MS;
  return { timeMin: rfc3339(start), timeMax: rfc3339(start + days * DAY_MS) };
}

/** `7 – 14 Dec`: the range as the chosen time zone's calendar shows it. */
export function rangeLabel(range: SlotRange, timeZone: string, locale?: string): string {
  const format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone });
  // timeMax is exclusive: the last day shown is the one holding its previous instant.
  return format.formatRange(new Date(range.timeMin), new Date(Date.parse(range.timeMax) - 1));
}

function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
