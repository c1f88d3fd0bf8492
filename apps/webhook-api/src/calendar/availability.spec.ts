import { DateTime, Settings } from 'luxon';
import {
  AvailabilityRules,
  BusyInterval,
  computeGroupSlots,
  computeSlots,
  GroupSlot,
  isValidTimeZone,
  Slot,
  Weekday,
  WorkingHours,
} from './availability';

const BERLIN = 'Europe/Berlin';
const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function rules(
  overrides: Partial<AvailabilityRules> & Pick<AvailabilityRules, 'timeMin' | 'timeMax'>,
): AvailabilityRules {
  return {
    durationMinutes: 30,
    slotStepMinutes: 30,
    timeZone: BERLIN,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    minNoticeMinutes: 0,
    now: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

const at = (iso: string): Date => new Date(iso);
const busy = (start: string, end: string): BusyInterval => ({ start: Date.parse(start), end: Date.parse(end) });
const hours = (days: Weekday[], start: string, end: string): WorkingHours => ({ days, start, end });
const slot = (start: string, end: string): Slot => ({ start, end });

/**
 * The expected slots of one local day, by plain string arithmetic on minutes of the day (no
 * zone math, so it cannot share a bug with the code under test): starts `from`, `from + step`,
 * … while the slot ends by `to`; `offset` is printed as is.
 */
function grid(date: string, offset: string, from: string, to: string, step: number, duration = step): Slot[] {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const out: Slot[] = [];
  for (let m = minutes(from); m + duration <= minutes(to); m += step) {
    out.push(slot(`${date}T${hhmm(m)}:00${offset}`, `${date}T${hhmm(m + duration)}:00${offset}`));
  }
  return out;
}

describe('computeSlots', () => {
  it('a plain day: the window minus a busy hour', () => {
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T00:00:00Z'),
        timeMax: at('2026-12-08T00:00:00Z'),
        durationMinutes: 60,
        slotStepMinutes: 60,
        workingHours: [hours(WEEKDAYS, '09:00', '12:00')],
      }),
      [busy('2026-12-07T10:00:00+01:00', '2026-12-07T11:00:00+01:00')],
    );
    expect(slots).toEqual([
      slot('2026-12-07T09:00:00+01:00', '2026-12-07T10:00:00+01:00'),
      slot('2026-12-07T11:00:00+01:00', '2026-12-07T12:00:00+01:00'),
    ]);
  });

  it("the contract's example: Mon–Fri 09:00–17:00, 30-minute slots", () => {
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T00:00:00Z'),
        timeMax: at('2026-12-12T00:00:00Z'),
        workingHours: [hours(WEEKDAYS, '09:00', '17:00')],
      }),
      [],
    );
    expect(slots).toEqual(
      ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'].flatMap((d) =>
        grid(d, '+01:00', '09:00', '17:00', 30),
      ),
    );
  });

  describe('daylight-saving changes keep local working hours', () => {
    it('Europe/Berlin, a week across the spring-forward day (2026-03-29)', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-03-23T00:00:00+01:00'),
          timeMax: at('2026-03-31T00:00:00+02:00'),
          workingHours: [hours(ALL_DAYS, '09:00', '10:00')],
        }),
        [],
      );
      expect(slots).toEqual([
        ...['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28'].flatMap((d) =>
          grid(d, '+01:00', '09:00', '10:00', 30),
        ),
        ...['2026-03-29', '2026-03-30'].flatMap((d) => grid(d, '+02:00', '09:00', '10:00', 30)),
      ]);
      // 09:00 local is 08:00Z the day before the change and 07:00Z on the day itself.
      expect(Date.parse(slots[10].start)).toBe(Date.parse('2026-03-28T08:00:00Z'));
      expect(Date.parse(slots[12].start)).toBe(Date.parse('2026-03-29T07:00:00Z'));
    });

    it('Europe/Berlin, a week across the fall-back day (2026-10-25)', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-10-19T00:00:00+02:00'),
          timeMax: at('2026-10-27T00:00:00+01:00'),
          workingHours: [hours(ALL_DAYS, '09:00', '10:00')],
        }),
        [],
      );
      expect(slots).toEqual([
        ...['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24'].flatMap((d) =>
          grid(d, '+02:00', '09:00', '10:00', 30),
        ),
        ...['2026-10-25', '2026-10-26'].flatMap((d) => grid(d, '+01:00', '09:00', '10:00', 30)),
      ]);
    });

    it('a 00:00–24:00 window steps in elapsed time: 23 hourly slots on the spring-forward day', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-03-29T00:00:00+01:00'),
          timeMax: at('2026-03-30T00:00:00+02:00'),
          durationMinutes: 60,
          slotStepMinutes: 60,
          workingHours: [hours(['sun'], '00:00', '24:00')],
        }),
        [],
      );
      const local = [
        '2026-03-29T00:00:00+01:00',
        '2026-03-29T01:00:00+01:00',
        ...Array.from({ length: 21 }, (_, i) => `2026-03-29T${String(i + 3).padStart(2, '0')}:00:00+02:00`),
        '2026-03-30T00:00:00+02:00',
      ];
      expect(slots).toEqual(local.slice(0, -1).map((start, i) => slot(start, local[i + 1])));
      expect(slots).toHaveLength(23);
    });

    it('a 00:00–24:00 window steps in elapsed time: 25 hourly slots on the fall-back day', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-10-25T00:00:00+02:00'),
          timeMax: at('2026-10-26T00:00:00+01:00'),
          durationMinutes: 60,
          slotStepMinutes: 60,
          workingHours: [hours(['sun'], '00:00', '24:00')],
        }),
        [],
      );
      const local = [
        '2026-10-25T00:00:00+02:00',
        '2026-10-25T01:00:00+02:00',
        '2026-10-25T02:00:00+02:00',
        ...Array.from({ length: 22 }, (_, i) => `2026-10-25T${String(i + 2).padStart(2, '0')}:00:00+01:00`),
        '2026-10-26T00:00:00+01:00',
      ];
      expect(slots).toEqual(local.slice(0, -1).map((start, i) => slot(start, local[i + 1])));
      expect(slots).toHaveLength(25);
    });

    it('a window starting at a local time that does not exist starts later by the gap (02:30 → 03:30+02:00)', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-03-29T00:00:00+01:00'),
          timeMax: at('2026-03-30T00:00:00+02:00'),
          workingHours: [hours(['sun'], '02:30', '04:00')],
        }),
        [],
      );
      expect(slots).toEqual([slot('2026-03-29T03:30:00+02:00', '2026-03-29T04:00:00+02:00')]);
    });

    it('a window starting at a repeated local time starts at its first occurrence, whatever the season of now', () => {
      const input = rules({
        timeMin: at('2026-10-25T00:00:00+02:00'),
        timeMax: at('2026-10-26T00:00:00+01:00'),
        workingHours: [hours(['sun'], '02:30', '03:30')],
      });
      const expected = [
        slot('2026-10-25T02:30:00+02:00', '2026-10-25T02:00:00+01:00'),
        slot('2026-10-25T02:00:00+01:00', '2026-10-25T02:30:00+01:00'),
        slot('2026-10-25T02:30:00+01:00', '2026-10-25T03:00:00+01:00'),
        slot('2026-10-25T03:00:00+01:00', '2026-10-25T03:30:00+01:00'),
      ];
      // Luxon resolves a repeated time with the offset in force at Settings.now(): pin both seasons.
      const realNow = Settings.now;
      try {
        for (const now of ['2026-07-01T12:00:00Z', '2026-01-15T12:00:00Z']) {
          Settings.now = () => Date.parse(now);
          expect(computeSlots(input, [])).toEqual(expected);
        }
      } finally {
        Settings.now = realNow;
      }
    });

    it('without working hours, slots across the change carry the offset of their instant', () => {
      const slots = computeSlots(
        rules({
          timeMin: at('2026-03-29T00:30:00Z'),
          timeMax: at('2026-03-29T03:30:00Z'),
          durationMinutes: 60,
          slotStepMinutes: 60,
        }),
        [],
      );
      expect(slots).toEqual([
        slot('2026-03-29T01:30:00+01:00', '2026-03-29T03:30:00+02:00'),
        slot('2026-03-29T03:30:00+02:00', '2026-03-29T04:30:00+02:00'),
        slot('2026-03-29T04:30:00+02:00', '2026-03-29T05:30:00+02:00'),
      ]);
    });

    it('America/New_York across 2026-03-08', () => {
      const slots = computeSlots(
        rules({
          timeZone: 'America/New_York',
          timeMin: at('2026-03-07T00:00:00-05:00'),
          timeMax: at('2026-03-10T00:00:00-04:00'),
          durationMinutes: 60,
          slotStepMinutes: 60,
          workingHours: [hours(['sat', 'sun', 'mon'], '09:00', '10:00')],
        }),
        [],
      );
      expect(slots).toEqual([
        slot('2026-03-07T09:00:00-05:00', '2026-03-07T10:00:00-05:00'),
        slot('2026-03-08T09:00:00-04:00', '2026-03-08T10:00:00-04:00'),
        slot('2026-03-09T09:00:00-04:00', '2026-03-09T10:00:00-04:00'),
      ]);
    });

    it('America/New_York across 2026-11-01, including the repeated 01:00–02:00 hour', () => {
      const slots = computeSlots(
        rules({
          timeZone: 'America/New_York',
          timeMin: at('2026-10-31T00:00:00-04:00'),
          timeMax: at('2026-11-03T00:00:00-05:00'),
          durationMinutes: 60,
          slotStepMinutes: 60,
          workingHours: [hours(['sat', 'sun', 'mon'], '09:00', '10:00'), hours(['sun'], '01:30', '02:30')],
        }),
        [],
      );
      expect(slots).toEqual([
        slot('2026-10-31T09:00:00-04:00', '2026-10-31T10:00:00-04:00'),
        slot('2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00'),
        slot('2026-11-01T01:30:00-05:00', '2026-11-01T02:30:00-05:00'),
        slot('2026-11-01T09:00:00-05:00', '2026-11-01T10:00:00-05:00'),
        slot('2026-11-02T09:00:00-05:00', '2026-11-02T10:00:00-05:00'),
      ]);
    });
  });

  it('Asia/Kolkata (+05:30): local working hours, a busy interval given in UTC', () => {
    const slots = computeSlots(
      rules({
        timeZone: 'Asia/Kolkata',
        timeMin: at('2026-12-07T00:00:00+05:30'),
        timeMax: at('2026-12-08T00:00:00+05:30'),
        durationMinutes: 45,
        slotStepMinutes: 45,
        workingHours: [hours(WEEKDAYS, '09:30', '12:00')],
      }),
      [busy('2026-12-07T05:00:00Z', '2026-12-07T05:30:00Z')], // 10:30–11:00 in Kolkata
    );
    expect(slots).toEqual([
      slot('2026-12-07T09:30:00+05:30', '2026-12-07T10:15:00+05:30'),
      slot('2026-12-07T11:00:00+05:30', '2026-12-07T11:45:00+05:30'),
    ]);
  });

  describe('buffers', () => {
    const day = {
      timeMin: at('2026-12-07T00:00:00+01:00'),
      timeMax: at('2026-12-08T00:00:00+01:00'),
      workingHours: [hours(WEEKDAYS, '09:00', '12:00')],
    };
    const meeting = busy('2026-12-07T10:00:00+01:00', '2026-12-07T10:30:00+01:00');
    const starts = (slots: Slot[]) => slots.map((s) => s.start.slice(11, 16));

    it('before and after widen the slot on both sides', () => {
      const slots = computeSlots(rules({ ...day, bufferBeforeMinutes: 15, bufferAfterMinutes: 10 }), [meeting]);
      expect(slots).toEqual([
        slot('2026-12-07T09:00:00+01:00', '2026-12-07T09:30:00+01:00'),
        slot('2026-12-07T11:00:00+01:00', '2026-12-07T11:30:00+01:00'),
        slot('2026-12-07T11:30:00+01:00', '2026-12-07T12:00:00+01:00'),
      ]);
    });

    it('before only: a slot may start when the meeting ends + buffer, and end when it starts', () => {
      expect(starts(computeSlots(rules({ ...day, bufferBeforeMinutes: 15 }), [meeting]))).toEqual([
        '09:00',
        '09:30',
        '11:00',
        '11:30',
      ]);
    });

    it('after only: a slot may end when the meeting starts - buffer, and start when it ends', () => {
      expect(starts(computeSlots(rules({ ...day, bufferAfterMinutes: 10 }), [meeting]))).toEqual([
        '09:00',
        '10:30',
        '11:00',
        '11:30',
      ]);
    });

    it('a buffer reaches busy time outside the working hours', () => {
      const early = busy('2026-12-07T08:50:00+01:00', '2026-12-07T09:00:00+01:00');
      expect(starts(computeSlots(rules({ ...day, bufferBeforeMinutes: 15 }), [early]))).toEqual([
        '09:30',
        '10:00',
        '10:30',
        '11:00',
        '11:30',
      ]);
      expect(starts(computeSlots(rules(day), [early]))[0]).toBe('09:00');
    });
  });

  describe('minimum notice', () => {
    const twoDays = {
      timeMin: at('2026-12-07T00:00:00+01:00'),
      timeMax: at('2026-12-09T00:00:00+01:00'),
      workingHours: [hours(WEEKDAYS, '09:00', '17:00')],
      minNoticeMinutes: 60,
    };

    it('now in the middle of a day: the first slot is the next step after now + notice', () => {
      const slots = computeSlots(rules({ ...twoDays, now: at('2026-12-07T10:10:00+01:00') }), []);
      expect(slots).toEqual([
        ...grid('2026-12-07', '+01:00', '11:30', '17:00', 30),
        ...grid('2026-12-08', '+01:00', '09:00', '17:00', 30),
      ]);
    });

    it('a slot starting exactly at now + notice is offered', () => {
      const slots = computeSlots(rules({ ...twoDays, now: at('2026-12-07T10:00:00+01:00') }), []);
      expect(slots[0]).toEqual(slot('2026-12-07T11:00:00+01:00', '2026-12-07T11:30:00+01:00'));
    });
  });

  it('overlapping, unsorted busy intervals from two calendars', () => {
    const calendarA = [
      busy('2026-12-07T13:00:00+01:00', '2026-12-07T13:30:00+01:00'),
      busy('2026-12-07T10:00:00+01:00', '2026-12-07T11:00:00+01:00'),
    ];
    const calendarB = [
      busy('2026-12-07T10:30:00+01:00', '2026-12-07T12:00:00+01:00'),
      busy('2026-12-07T09:00:00+01:00', '2026-12-07T09:30:00+01:00'),
      busy('2026-12-07T11:45:00+01:00', '2026-12-07T12:15:00+01:00'),
      busy('2026-12-07T10:15:00+01:00', '2026-12-07T10:45:00+01:00'),
    ];
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T00:00:00+01:00'),
        timeMax: at('2026-12-08T00:00:00+01:00'),
        durationMinutes: 60,
        slotStepMinutes: 30,
        workingHours: [hours(WEEKDAYS, '08:00', '15:00')],
      }),
      [...calendarA, ...calendarB],
    );
    // Busy merges to 09:00–09:30, 10:00–12:15, 13:00–13:30; the 45-minute gap fits no hour.
    expect(slots).toEqual([
      slot('2026-12-07T08:00:00+01:00', '2026-12-07T09:00:00+01:00'),
      slot('2026-12-07T13:30:00+01:00', '2026-12-07T14:30:00+01:00'),
      slot('2026-12-07T14:00:00+01:00', '2026-12-07T15:00:00+01:00'),
    ]);
  });

  it('an all-day busy event removes its local day', () => {
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T00:00:00+01:00'),
        timeMax: at('2026-12-10T00:00:00+01:00'),
        workingHours: [hours(WEEKDAYS, '09:00', '10:00')],
      }),
      [busy('2026-12-08T00:00:00+01:00', '2026-12-09T00:00:00+01:00')],
    );
    expect(slots).toEqual([
      ...grid('2026-12-07', '+01:00', '09:00', '10:00', 30),
      ...grid('2026-12-09', '+01:00', '09:00', '10:00', 30),
    ]);
  });

  describe('slot step different from the duration', () => {
    const input = rules({
      timeMin: at('2026-12-07T00:00:00+01:00'),
      timeMax: at('2026-12-08T00:00:00+01:00'),
      durationMinutes: 30,
      slotStepMinutes: 15,
      workingHours: [hours(WEEKDAYS, '09:00', '10:30')],
    });

    it('30-minute slots every 15 minutes overlap each other', () => {
      expect(computeSlots(input, [])).toEqual(grid('2026-12-07', '+01:00', '09:00', '10:30', 15, 30));
    });

    it('after a busy interval the next slot is the next step of the grid', () => {
      expect(computeSlots(input, [busy('2026-12-07T09:40:00+01:00', '2026-12-07T09:50:00+01:00')])).toEqual([
        slot('2026-12-07T09:00:00+01:00', '2026-12-07T09:30:00+01:00'),
        slot('2026-12-07T10:00:00+01:00', '2026-12-07T10:30:00+01:00'),
      ]);
    });
  });

  it('a busy interval touching a slot edge does not overlap it', () => {
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T00:00:00+01:00'),
        timeMax: at('2026-12-08T00:00:00+01:00'),
        workingHours: [hours(WEEKDAYS, '09:30', '11:00')],
      }),
      [busy('2026-12-07T10:00:00+01:00', '2026-12-07T10:30:00+01:00')],
    );
    expect(slots).toEqual([
      slot('2026-12-07T09:30:00+01:00', '2026-12-07T10:00:00+01:00'),
      slot('2026-12-07T10:30:00+01:00', '2026-12-07T11:00:00+01:00'),
    ]);
  });

  describe('without working hours the whole range is one window', () => {
    const input = rules({
      timeMin: at('2026-12-07T09:10:00Z'),
      timeMax: at('2026-12-07T11:00:00Z'),
      durationMinutes: 30,
      slotStepMinutes: 20,
    });

    it('steps count from timeMin', () => {
      expect(computeSlots(input, []).map((s) => s.start)).toEqual([
        '2026-12-07T10:10:00+01:00',
        '2026-12-07T10:30:00+01:00',
        '2026-12-07T10:50:00+01:00',
        '2026-12-07T11:10:00+01:00',
        '2026-12-07T11:30:00+01:00',
      ]);
    });

    it('the grid stays anchored at timeMin after a busy interval', () => {
      expect(computeSlots(input, [busy('2026-12-07T10:00:00Z', '2026-12-07T10:15:00Z')])).toEqual([
        slot('2026-12-07T10:10:00+01:00', '2026-12-07T10:40:00+01:00'),
        slot('2026-12-07T10:30:00+01:00', '2026-12-07T11:00:00+01:00'),
        slot('2026-12-07T11:30:00+01:00', '2026-12-07T12:00:00+01:00'),
      ]);
    });

    it('a timeMin with milliseconds is rounded up to the whole second', () => {
      expect(
        computeSlots({ ...input, timeMin: at('2026-12-07T09:10:00.500Z'), timeMax: at('2026-12-07T10:00:00Z') }, []),
      ).toEqual([slot('2026-12-07T10:10:01+01:00', '2026-12-07T10:40:01+01:00')]);
    });
  });

  it('the range clips a window, but the grid stays anchored at the window start', () => {
    const slots = computeSlots(
      rules({
        timeMin: at('2026-12-07T09:45:00+01:00'),
        timeMax: at('2026-12-07T11:15:00+01:00'),
        workingHours: [hours(WEEKDAYS, '09:00', '17:00')],
      }),
      [],
    );
    expect(slots).toEqual([
      slot('2026-12-07T10:00:00+01:00', '2026-12-07T10:30:00+01:00'),
      slot('2026-12-07T10:30:00+01:00', '2026-12-07T11:00:00+01:00'),
    ]);
  });

  describe('several windows', () => {
    const monday = {
      timeMin: at('2026-12-07T00:00:00+01:00'),
      timeMax: at('2026-12-08T00:00:00+01:00'),
      durationMinutes: 60,
      slotStepMinutes: 60,
    };
    const starts = (slots: Slot[]) => slots.map((s) => s.start.slice(11, 16));

    it('two windows in one day, listed out of order', () => {
      const slots = computeSlots(
        rules({ ...monday, workingHours: [hours(['mon'], '13:00', '15:00'), hours(['mon'], '09:00', '12:00')] }),
        [],
      );
      expect(slots).toEqual([
        ...grid('2026-12-07', '+01:00', '09:00', '12:00', 60),
        ...grid('2026-12-07', '+01:00', '13:00', '15:00', 60),
      ]);
    });

    it('overlapping windows on the same grid give no duplicate slot', () => {
      const slots = computeSlots(
        rules({ ...monday, workingHours: [hours(['mon'], '09:00', '11:00'), hours(['mon'], '10:00', '12:00')] }),
        [],
      );
      expect(starts(slots)).toEqual(['09:00', '10:00', '11:00']);
    });

    it('overlapping windows on different grids are merged in start order', () => {
      const slots = computeSlots(
        rules({ ...monday, workingHours: [hours(['mon'], '09:30', '11:00'), hours(['mon'], '09:00', '11:00')] }),
        [],
      );
      expect(starts(slots)).toEqual(['09:00', '09:30', '10:00']);
    });

    it('different hours on different days', () => {
      const slots = computeSlots(
        rules({
          ...monday,
          timeMax: at('2026-12-09T00:00:00+01:00'),
          workingHours: [hours(['mon'], '09:00', '10:00'), hours(['tue'], '14:00', '15:00')],
        }),
        [],
      );
      expect(slots).toEqual([
        slot('2026-12-07T09:00:00+01:00', '2026-12-07T10:00:00+01:00'),
        slot('2026-12-08T14:00:00+01:00', '2026-12-08T15:00:00+01:00'),
      ]);
    });

    it('an empty list of working hours opens nothing', () => {
      expect(computeSlots(rules({ ...monday, workingHours: [] }), [])).toEqual([]);
    });
  });

  it.each([
    ['Europe/Berlin', '2026-12-07T13:00:00+01:00', '2026-12-07T14:00:00+01:00'],
    ['Asia/Kolkata', '2026-12-07T17:30:00+05:30', '2026-12-07T18:30:00+05:30'],
    ['Asia/Kathmandu', '2026-12-07T17:45:00+05:45', '2026-12-07T18:45:00+05:45'],
    ['America/New_York', '2026-12-07T07:00:00-05:00', '2026-12-07T08:00:00-05:00'],
    ['America/St_Johns', '2026-12-07T08:30:00-03:30', '2026-12-07T09:30:00-03:30'],
    ['UTC', '2026-12-07T12:00:00+00:00', '2026-12-07T13:00:00+00:00'],
    ['Etc/UTC', '2026-12-07T12:00:00+00:00', '2026-12-07T13:00:00+00:00'],
    ['Europe/London', '2026-12-07T12:00:00+00:00', '2026-12-07T13:00:00+00:00'],
    ['Pacific/Chatham', '2026-12-08T01:45:00+13:45', '2026-12-08T02:45:00+13:45'],
    ['Pacific/Pago_Pago', '2026-12-07T01:00:00-11:00', '2026-12-07T02:00:00-11:00'],
  ])('formats %s as %s (offset of the zone, no milliseconds, never Z)', (timeZone, start, end) => {
    const slots = computeSlots(
      rules({
        timeZone,
        timeMin: at('2026-12-07T12:00:00Z'),
        timeMax: at('2026-12-07T13:00:00Z'),
        durationMinutes: 60,
        slotStepMinutes: 60,
      }),
      [],
    );
    expect(slots).toEqual([slot(start, end)]);
  });

  it('an empty or inverted range has no slots', () => {
    const range = { timeMin: at('2026-12-07T12:00:00Z'), timeMax: at('2026-12-07T12:00:00Z') };
    expect(computeSlots(rules(range), [])).toEqual([]);
    expect(computeSlots(rules({ ...range, timeMin: at('2026-12-07T13:00:00Z') }), [])).toEqual([]);
  });

  it('agrees with a naive per-slot reference on random inputs', () => {
    const random = mulberry32(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const starts = ['2026-03-25T00:00:00Z', '2026-10-22T00:00:00Z', '2026-03-05T00:00:00Z', '2026-12-05T10:17:00Z'];
    for (let run = 0; run < 300; run++) {
      const timeMin = Date.parse(pick(starts)) + Math.floor(random() * 48) * 15 * 60_000;
      const timeMax = timeMin + (1 + Math.floor(random() * 9 * 24)) * 3_600_000;
      const withHours = random() < 0.8;
      const input = rules({
        timeMin: new Date(timeMin),
        timeMax: new Date(timeMax),
        timeZone: pick(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney']),
        durationMinutes: pick([5, 15, 30, 45, 60, 90]),
        slotStepMinutes: pick([5, 10, 15, 30, 60]),
        bufferBeforeMinutes: pick([0, 0, 5, 15, 30]),
        bufferAfterMinutes: pick([0, 0, 10, 20]),
        minNoticeMinutes: pick([0, 0, 60, 600]),
        now: new Date(timeMin + Math.floor(random() * 48) * 3_600_000),
        // Hours away from 00:00–04:00, where these zones change offset: the reference does not
        // resolve missing or repeated local times.
        workingHours: withHours
          ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
              const from = 6 * 60 + Math.floor(random() * 48) * 15;
              const to = Math.min(22 * 60, from + 15 + Math.floor(random() * 40) * 15);
              const hhmm = (m: number) =>
                `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
              return hours(
                ALL_DAYS.filter(() => random() < 0.6),
                hhmm(from),
                hhmm(to),
              );
            })
          : undefined,
      });
      const busyIntervals: BusyInterval[] = Array.from({ length: Math.floor(random() * 60) }, () => {
        const start = timeMin - 3_600_000 + Math.floor(random() * ((timeMax - timeMin) / 60_000 + 120)) * 60_000;
        return { start, end: start + (1 + Math.floor(random() * 240)) * 60_000 };
      });
      expect(computeSlots(input, busyIntervals)).toEqual(referenceSlots(input, busyIntervals));
    }
  });
});

describe('computeGroupSlots', () => {
  // Monday 2026-12-07, 09:00–12:00 Berlin (08:00–11:00 UTC), hourly slots.
  const morning = rules({
    timeMin: at('2026-12-07T00:00:00Z'),
    timeMax: at('2026-12-08T00:00:00Z'),
    durationMinutes: 60,
    slotStepMinutes: 60,
    workingHours: [hours(WEEKDAYS, '09:00', '12:00')],
  });
  const nine = slot('2026-12-07T09:00:00+01:00', '2026-12-07T10:00:00+01:00');
  const ten = slot('2026-12-07T10:00:00+01:00', '2026-12-07T11:00:00+01:00');
  const eleven = slot('2026-12-07T11:00:00+01:00', '2026-12-07T12:00:00+01:00');
  const free = (s: Slot, ...participants: number[]): GroupSlot => ({ ...s, free: participants });
  // Participant 0 is busy at 09:00, 1 at 10:00, 2 at 09:00 and 11:00 (Berlin).
  const threeCalendars: BusyInterval[][] = [
    [busy('2026-12-07T08:00:00Z', '2026-12-07T09:00:00Z')],
    [busy('2026-12-07T09:00:00Z', '2026-12-07T10:00:00Z')],
    [busy('2026-12-07T10:00:00Z', '2026-12-07T11:00:00Z'), busy('2026-12-07T08:15:00Z', '2026-12-07T08:45:00Z')],
  ];

  it('everyone free: only the slots no participant is busy in', () => {
    const twoFree = threeCalendars.slice(0, 2);
    expect(computeGroupSlots(morning, twoFree, 2)).toEqual([free(eleven, 0, 1)]);
    expect(computeGroupSlots(morning, threeCalendars, 3)).toEqual([]);
  });

  it('n of m: every slot enough participants are free for, with who they are, in the order given', () => {
    expect(computeGroupSlots(morning, threeCalendars, 2)).toEqual([free(ten, 0, 2), free(eleven, 0, 1)]);
    expect(computeGroupSlots(morning, threeCalendars, 1)).toEqual([free(nine, 1), free(ten, 0, 2), free(eleven, 0, 1)]);
  });

  it("each participant's buffers and minimum notice are the rules' own", () => {
    const buffered = { ...morning, bufferAfterMinutes: 15, minNoticeMinutes: 0 };
    // With 15 minutes after it, 09:00 Berlin reaches participant 1's 10:00 and 10:00 participant 2's 11:00.
    expect(computeGroupSlots(buffered, threeCalendars, 2)).toEqual([free(eleven, 0, 1)]);
    const late = { ...morning, now: at('2026-12-07T09:30:00Z') };
    expect(computeGroupSlots(late, threeCalendars, 1)).toEqual([free(eleven, 0, 1)]);
  });

  it('required above the number of participants lists nothing; a required below 1 or fractional is refused', () => {
    expect(computeGroupSlots(morning, [[], []], 3)).toEqual([]);
    expect(computeGroupSlots(morning, [], 1)).toEqual([]);
    expect(() => computeGroupSlots(morning, [[]], 0)).toThrow(RangeError);
    expect(() => computeGroupSlots(morning, [[]], 1.5)).toThrow(RangeError);
  });

  it('agrees with a naive per-participant reference on random inputs (and with computeSlots for one participant)', () => {
    const random = mulberry32(20261208);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    for (let run = 0; run < 150; run++) {
      const timeMin = Date.parse('2026-11-30T00:00:00Z') + Math.floor(random() * 96) * 15 * 60_000;
      const timeMax = timeMin + (1 + Math.floor(random() * 5 * 24)) * 3_600_000;
      const input = rules({
        timeMin: new Date(timeMin),
        timeMax: new Date(timeMax),
        timeZone: pick(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata']),
        durationMinutes: pick([15, 30, 60]),
        slotStepMinutes: pick([15, 30, 60]),
        bufferBeforeMinutes: pick([0, 0, 10]),
        bufferAfterMinutes: pick([0, 5, 30]),
        minNoticeMinutes: pick([0, 120]),
        now: new Date(timeMin + Math.floor(random() * 24) * 3_600_000),
        workingHours:
          random() < 0.7
            ? [
                hours(
                  ALL_DAYS.filter(() => random() < 0.7),
                  pick(['07:00', '09:00']),
                  pick(['12:00', '18:30']),
                ),
              ]
            : undefined,
      });
      const participants = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        Array.from({ length: Math.floor(random() * 25) }, (): BusyInterval => {
          const start = timeMin - 3_600_000 + Math.floor(random() * ((timeMax - timeMin) / 60_000 + 120)) * 60_000;
          return { start, end: start + (1 + Math.floor(random() * 180)) * 60_000 };
        }),
      );
      const required = 1 + Math.floor(random() * participants.length);

      const freeSlots = participants.map((intervals) => new Set(referenceSlots(input, intervals).map((s) => s.start)));
      const expected = referenceSlots(input, [])
        .map((s) => ({ ...s, free: participants.flatMap((_, p) => (freeSlots[p].has(s.start) ? [p] : [])) }))
        .filter((s) => s.free.length >= required);
      expect(computeGroupSlots(input, participants, required)).toEqual(expected);
      expect(computeGroupSlots(input, participants.slice(0, 1), 1)).toEqual(
        computeSlots(input, participants[0]).map((s) => ({ ...s, free: [0] })),
      );
    }
  });

  it('costs time linear in slots and busy intervals: 20 participants, 90 days of 5-minute steps, 2,000 intervals each', () => {
    const timeMin = Date.parse('2026-12-01T00:00:00Z');
    const input = rules({
      timeMin: new Date(timeMin),
      timeMax: new Date(timeMin + 90 * 24 * 3_600_000),
      durationMinutes: 30,
      slotStepMinutes: 5,
      timeZone: 'UTC',
    });
    const random = mulberry32(7);
    const participants = Array.from({ length: 20 }, () =>
      Array.from({ length: 2000 }, (): BusyInterval => {
        const start = timeMin + Math.floor(random() * 90 * 24 * 12) * 5 * 60_000;
        return { start, end: start + 30 * 60_000 };
      }),
    );
    const started = performance.now();
    const slots = computeGroupSlots(input, participants, 1);
    // A per-slot scan of every interval (26,000 slots × 40,000 intervals) takes seconds, not this.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(slots.length).toBeGreaterThan(25_000);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['UTC', true],
    ['Fantasia/Castle', false],
    ['', false],
    ['+01:00', false],
  ])('%s → %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

const LUXON_WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Every grid point of every window tested against every busy interval, formatted by Luxon. */
function referenceSlots(rules: AvailabilityRules, busyIntervals: readonly BusyInterval[]): Slot[] {
  const zone = rules.timeZone;
  const minute = 60_000;
  const windows: [number, number][] = [];
  if (!rules.workingHours) {
    windows.push([rules.timeMin.getTime(), rules.timeMax.getTime()]);
  } else {
    const lastDay = DateTime.fromJSDate(rules.timeMax, { zone }).startOf('day');
    for (
      let day = DateTime.fromJSDate(rules.timeMin, { zone }).startOf('day');
      day <= lastDay;
      day = day.plus({ days: 1 })
    ) {
      for (const h of rules.workingHours) {
        if (h.days.includes(LUXON_WEEKDAYS[day.weekday - 1])) {
          const [sh, sm] = h.start.split(':').map(Number);
          const [eh, em] = h.end.split(':').map(Number);
          windows.push([day.set({ hour: sh, minute: sm }).toMillis(), day.set({ hour: eh, minute: em }).toMillis()]);
        }
      }
    }
  }
  const found = new Map<number, Slot>();
  const duration = rules.durationMinutes * minute;
  for (const [from, to] of windows) {
    for (let t = from; t + duration <= to; t += rules.slotStepMinutes * minute) {
      const free = !busyIntervals.some(
        (b) =>
          b.start < t + duration + rules.bufferAfterMinutes * minute && t - rules.bufferBeforeMinutes * minute < b.end,
      );
      if (
        free &&
        t >= rules.timeMin.getTime() &&
        t + duration <= rules.timeMax.getTime() &&
        t >= rules.now.getTime() + rules.minNoticeMinutes * minute
      ) {
        const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? '';
        found.set(t, slot(iso(t), iso(t + duration)));
      }
    }
  }
  return [...found.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
