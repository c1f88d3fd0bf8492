import { clockTime, groupSlotsByDay, localDate, rangeFrom, rangeLabel } from './slot-days';

describe('groupSlotsByDay', () => {
  const slots = [
    { start: '2026-12-08T09:00:00+01:00', end: '2026-12-08T09:30:00+01:00' },
    { start: '2026-12-07T09:30:00+01:00', end: '2026-12-07T10:00:00+01:00' },
    { start: '2026-12-07T09:00:00+01:00', end: '2026-12-07T09:30:00+01:00' },
  ];

  it('groups by local day in start order, with 24-hour labels and names that start with them', () => {
    const days = groupSlotsByDay(slots, 'Europe/Berlin', 'en-GB');
    expect(days.map((day) => [day.key, day.heading, day.slots.map((view) => view.startLabel)])).toEqual([
      ['2026-12-07', 'Monday 7 December', ['09:00', '09:30']],
      ['2026-12-08', 'Tuesday 8 December', ['09:00']],
    ]);
    expect(days[0]?.slots[1]).toMatchObject({
      key: '2026-12-07T09:30:00+01:00',
      endLabel: '10:00',
      accessibleName: '09:30 to 10:00, Monday 7 December',
    });
  });

  it('lets the time zone decide the day: 09:00 in Berlin is 03:00 in New York, 17:00 in Tokyo', () => {
    expect(groupSlotsByDay(slots, 'America/New_York', 'en-US')[0]?.slots[0]?.startLabel).toBe('03:00');
    const evening = [{ start: '2026-12-07T23:30:00-05:00', end: '2026-12-08T00:00:00-05:00' }];
    expect(groupSlotsByDay(evening, 'America/New_York', 'en-GB')[0]?.key).toBe('2026-12-07');
    expect(groupSlotsByDay(evening, 'Europe/Berlin', 'en-GB')[0]).toMatchObject({
      key: '2026-12-08',
      slots: [expect.objectContaining({ startLabel: '05:30', endLabel: '06:00' })],
    });
  });

  it('keeps wall-clock times right across a daylight-saving change', () => {
    // Berlin moves from +01:00 to +02:00 on 29 March 2026.
    const aroundChange = [
      { start: '2026-03-28T09:00:00+01:00', end: '2026-03-28T09:30:00+01:00' },
      { start: '2026-03-30T09:00:00+02:00', end: '2026-03-30T09:30:00+02:00' },
    ];
    const labels = groupSlotsByDay(aroundChange, 'Europe/Berlin', 'en-GB').map((day) => day.slots[0]?.startLabel);
    expect(labels).toEqual(['09:00', '09:00']);
  });

  it('answers no days for no slots', () => {
    expect(groupSlotsByDay([], 'UTC')).toEqual([]);
  });
});

describe('clockTime and localDate', () => {
  it('writes midnight as 00:00 and gives the local date', () => {
    const instant = new Date('2026-12-06T23:00:00Z');
    expect(clockTime(instant, 'Europe/Berlin')).toBe('00:00');
    expect(localDate(instant, 'Europe/Berlin')).toBe('2026-12-07');
    expect(localDate(instant, 'UTC')).toBe('2026-12-06');
  });
});

describe('rangeFrom', () => {
  const now = new Date('2026-12-07T08:15:42.123Z');

  it('is the coming 7 days from this minute on, in whole-minute RFC 3339', () => {
    expect(rangeFrom(now, 0)).toEqual({ timeMin: '2026-12-07T08:15:00Z', timeMax: '2026-12-14T08:15:00Z' });
  });

  it('pages on by 7 days, each range starting where the previous ended', () => {
    expect(rangeFrom(now, 1)).toEqual({ timeMin: '2026-12-14T08:15:00Z', timeMax: '2026-12-21T08:15:00Z' });
  });

  it('is labelled in the time zone, with the exclusive end left out', () => {
    const range = { timeMin: '2026-12-07T00:00:00Z', timeMax: '2026-12-14T00:00:00Z' };
    // ICU puts (thin) spaces around the dash or not, by version.
    expect(rangeLabel(range, 'UTC', 'en-GB')).toMatch(/^7\s?–\s?13 Dec$/);
  });
});
