/**
 * The calendar loads' data: a week of busy time over three calendars (deterministic, so every
 * run computes the same slots), the availability request over it, the group's participants'
 * busy times and their request, and the bodies of the event creates. Pure: no I/O.
 */
import type { SeedBusy, SeedCalendars } from './infra-protocol';

/**
 * The availability week: Monday 2030-06-03 to Monday 2030-06-10 in Europe/Berlin, far ahead
 * (so "now" never cuts a slot) and inside summer time (+02:00 all week, no DST change).
 */
const WEEK_DAYS = ['2030-06-03', '2030-06-04', '2030-06-05', '2030-06-06', '2030-06-07'];
const BERLIN_OFFSET = '+02:00';
export const AVAILABILITY_TIME_ZONE = 'Europe/Berlin';
export const AVAILABILITY_SLOT_MINUTES = 30;
/** Busy intervals in all, over the primary calendar and the two added ones. */
export const BUSY_INTERVALS = 200;
const BUSY_PER_CALENDAR = [80, 60, 60];
const ADDED_CALENDARS = ['Bench team', 'Bench rooms'];
/** Busy times start on 5-minute marks inside 09:00–17:00 and last 10–30 minutes (some run past 17:00). */
const BUSY_MINUTES = [10, 15, 15, 20, 25, 30];
/** Kept free of busy time every day, so the answer always has slots to check (2 a day). */
const LUNCH = { from: 12 * 60, to: 13 * 60 };
/** Of the added calendars' busy times, this share starts inside one of the primary's: the overlaps. */
const OVERLAP_SHARE = 0.25;

/** mulberry32: small, seeded, good enough to spread busy times. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function localTime(day: string, minutes: number): string {
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${day}T${hh}:${mm}:00${BERLIN_OFFSET}`;
}

interface LocalBusy {
  day: string;
  from: number;
  to: number;
}

function toSeed(busy: LocalBusy): SeedBusy {
  return { start: localTime(busy.day, busy.from), end: localTime(busy.day, busy.to) };
}

/**
 * Draws busy times from `seed`: each on a 5-minute mark in the hours, clear of lunch; with
 * `overlapWith`, OVERLAP_SHARE of them start inside one of those.
 */
function busyDrawer(seed: number): (overlapWith: readonly LocalBusy[]) => LocalBusy {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return (overlapWith) => {
    for (;;) {
      const minutes = pick(BUSY_MINUTES);
      let busy: LocalBusy;
      if (overlapWith.length > 0 && next() < OVERLAP_SHARE) {
        const other = pick(overlapWith);
        const from = other.from + 5 * Math.floor((next() * (other.to - other.from)) / 5);
        busy = { day: other.day, from, to: from + minutes };
      } else {
        const from = 9 * 60 + 5 * Math.floor(next() * ((8 * 60) / 5));
        busy = { day: pick(WEEK_DAYS), from, to: from + minutes };
      }
      if (busy.to <= LUNCH.from || busy.from >= LUNCH.to) return busy;
    }
  };
}

/** The 200 busy times, as given to the sandbox for `email`'s primary calendar and two calendars it adds. */
export function availabilitySeed(email: string): SeedCalendars {
  const draw = busyDrawer(20300603);
  const primary: LocalBusy[] = [];
  const [primaryCount = 0, ...addedCounts] = BUSY_PER_CALENDAR;
  for (let i = 0; i < primaryCount; i++) primary.push(draw([]));
  return {
    email,
    primaryBusy: primary.map(toSeed),
    added: ADDED_CALENDARS.map((summary, c) => ({
      summary,
      timeZone: AVAILABILITY_TIME_ZONE,
      busy: Array.from({ length: addedCounts[c] ?? 0 }, () => toSeed(draw(primary))),
    })),
  };
}

/** How many of the seeded busy times overlap another one (of any calendar). */
export function overlappingCount(seed: SeedCalendars): number {
  const all = [...seed.primaryBusy, ...seed.added.flatMap((c) => c.busy)].map((b) => ({
    start: Date.parse(b.start),
    end: Date.parse(b.end),
  }));
  return all.filter((a, i) => all.some((b, j) => i !== j && a.start < b.end && b.start < a.end)).length;
}

/** The availability request of the load: the week, Mon–Fri 09:00–17:00 Berlin, 30-minute slots, all three calendars. */
export function availabilityRequest(googleCalendarIds: readonly string[]): Record<string, unknown> {
  return {
    timeMin: `${WEEK_DAYS[0]}T00:00:00${BERLIN_OFFSET}`,
    timeMax: `2030-06-10T00:00:00${BERLIN_OFFSET}`,
    durationMinutes: AVAILABILITY_SLOT_MINUTES,
    timeZone: AVAILABILITY_TIME_ZONE,
    workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    slotStepMinutes: AVAILABILITY_SLOT_MINUTES,
    googleCalendarIds,
  };
}

/** The group availability load: this many subaccounts, each its own connection and Google account. */
export const GROUP_PARTICIPANTS = 10;
/** Busy times on each participant's primary calendar (the same kind as the single load's). */
export const GROUP_BUSY_PER_PARTICIPANT = 20;

/** The `index`-th participant's busy times, on its primary calendar only (a seed of its own, fixed). */
export function groupParticipantSeed(email: string, index: number): SeedCalendars {
  const draw = busyDrawer(20300603 + 1 + index);
  return {
    email,
    primaryBusy: Array.from({ length: GROUP_BUSY_PER_PARTICIPANT }, () => toSeed(draw([]))),
    added: [],
  };
}

/** The group availability request of the load: the single load's week and rules over the participants' primary calendars, everyone free. */
export function groupAvailabilityRequest(subaccountIds: readonly string[]): Record<string, unknown> {
  const { googleCalendarIds: _single, ...rules } = availabilityRequest([]);
  return { ...rules, participants: subaccountIds.map((subaccountId) => ({ subaccountId })), required: 'all' };
}

/**
 * Why a group answer is wrong for the participants' seeds (in the order named), or undefined
 * when it is exactly right: every half hour of the week's working hours that no participant
 * is busy in, in order, each naming every participant.
 */
export function groupSlotsProblem(
  seeds: readonly SeedCalendars[],
  subaccountIds: readonly string[],
  slots: readonly { start: string; end: string; subaccountIds: readonly string[] }[],
): string | undefined {
  const busy = seeds
    .flatMap((seed) => seed.primaryBusy)
    .map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end) }));
  const expected: { start: number; end: number }[] = [];
  for (const day of WEEK_DAYS) {
    for (let from = 9 * 60; from + AVAILABILITY_SLOT_MINUTES <= 17 * 60; from += AVAILABILITY_SLOT_MINUTES) {
      const start = Date.parse(localTime(day, from));
      const end = start + AVAILABILITY_SLOT_MINUTES * 60_000;
      if (!busy.some((b) => start < b.end && b.start < end)) expected.push({ start, end });
    }
  }
  if (slots.length !== expected.length) {
    return `${slots.length} slots, expected the ${expected.length} half hours no participant is busy in`;
  }
  for (const [i, slot] of slots.entries()) {
    const want = expected[i] as { start: number; end: number };
    if (Date.parse(slot.start) !== want.start || Date.parse(slot.end) !== want.end) {
      return `slot ${i + 1} is ${slot.start}–${slot.end}, expected ${new Date(want.start).toISOString()}`;
    }
    if (slot.subaccountIds.join() !== subaccountIds.join()) {
      return `slot ${slot.start} names ${slot.subaccountIds.length} participants as free, expected all ${subaccountIds.length}`;
    }
  }
  return undefined;
}

/**
 * Why an answer's slots are wrong for the seed, or undefined when they are right: each one
 * 30 minutes, inside 09:00–17:00 Berlin on a weekday of the week, free of every busy time,
 * and at least the lunch slots (which no busy time touches).
 */
export function slotsProblem(
  seed: SeedCalendars,
  slots: readonly { start: string; end: string }[],
): string | undefined {
  const busy = [...seed.primaryBusy, ...seed.added.flatMap((c) => c.busy)].map((b) => ({
    start: Date.parse(b.start),
    end: Date.parse(b.end),
  }));
  if (slots.length < WEEK_DAYS.length * 2) return `only ${slots.length} slots (the lunch hours alone give 10)`;
  for (const slot of slots) {
    const start = Date.parse(slot.start);
    const end = Date.parse(slot.end);
    const day = slot.start.slice(0, 10);
    const time = slot.start.slice(11, 16);
    if (!slot.start.endsWith(BERLIN_OFFSET)) return `slot ${slot.start} is not in Berlin's summer offset`;
    if (end - start !== AVAILABILITY_SLOT_MINUTES * 60_000) return `slot ${slot.start}–${slot.end} is not 30 minutes`;
    if (!WEEK_DAYS.includes(day) || time < '09:00' || time > '16:30') return `slot ${slot.start} is outside the hours`;
    const clash = busy.find((b) => start < b.end && b.start < end);
    if (clash) return `slot ${slot.start} overlaps busy ${new Date(clash.start).toISOString()}`;
  }
  return undefined;
}

/** Event creates go to their own account's primary calendar, each at its own half hour from here on. */
const CREATE_BASE_MS = Date.parse('2031-01-06T08:00:00Z');

/** The body of the n-th event create (distinct n: distinct time). */
export function createEventBody(n: number, summary = `Bench booking ${n}`): Record<string, unknown> {
  const start = CREATE_BASE_MS + n * AVAILABILITY_SLOT_MINUTES * 60_000;
  return {
    summary,
    start: { dateTime: new Date(start).toISOString() },
    end: { dateTime: new Date(start + AVAILABILITY_SLOT_MINUTES * 60_000).toISOString() },
  };
}
