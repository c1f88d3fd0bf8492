import { RecurrenceError, SeriesTimes, occurrencesOf, splitRecurrence } from './series';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const EVER = { from: at('2000-01-01T00:00:00Z'), to: at('2100-01-01T00:00:00Z') };

/** A timed series' first occurrence, in a zone. */
function timed(start: string, end: string, timeZone: string): SeriesTimes {
  return { start: { dateTime: start, timeZone }, end: { dateTime: end, timeZone } };
}

describe('occurrencesOf', () => {
  it('keeps the wall-clock time of the series’ zone across daylight saving (Europe/Berlin, 2027-03-28)', () => {
    const series = timed('2027-03-22T10:00:00+01:00', '2027-03-22T10:30:00+01:00', 'Europe/Berlin');
    const found = occurrencesOf(['RRULE:FREQ=WEEKLY;COUNT=3'], series, EVER, 100);
    expect(found.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ['2027-03-22T09:00:00.000Z', '2027-03-22T09:30:00.000Z'],
      ['2027-03-29T08:00:00.000Z', '2027-03-29T08:30:00.000Z'],
      ['2027-04-05T08:00:00.000Z', '2027-04-05T08:30:00.000Z'],
    ]);
  });

  it('takes EXDATE and RDATE (UTC, TZID and date forms), UNTIL in UTC and INTERVAL', () => {
    const series = timed('2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z', 'UTC');
    const found = occurrencesOf(
      [
        'RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20270112T090000Z',
        'EXDATE:20270106T090000Z',
        'EXDATE;VALUE=DATE:20270108',
        'RDATE;TZID=Europe/Berlin:20270115T120000',
      ],
      series,
      EVER,
      100,
    );
    expect(found.map((o) => iso(o.start))).toEqual([
      '2027-01-04T09:00:00.000Z',
      '2027-01-10T09:00:00.000Z',
      '2027-01-12T09:00:00.000Z',
      '2027-01-15T11:00:00.000Z',
    ]);
  });

  it('orders RDATEs and several rules among each other', () => {
    const series = timed('2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z', 'UTC');
    const found = occurrencesOf(
      ['RDATE:20270301T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=2', 'RRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=2'],
      series,
      { from: at('2027-01-01T00:00:00Z'), to: at('2027-02-10T00:00:00Z') },
      3,
    );
    expect(found.map((o) => iso(o.start))).toEqual([
      '2027-01-04T09:00:00.000Z',
      '2027-01-05T09:00:00.000Z',
      '2027-01-11T09:00:00.000Z',
    ]);
  });

  it('answers only occurrences overlapping the window, at most `limit`, oldest first', () => {
    const series = timed('2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z', 'UTC');
    const window = { from: at('2027-01-10T09:30:00Z'), to: at('2028-01-10T09:30:00Z') };
    const daily = occurrencesOf(['RRULE:FREQ=DAILY'], series, window, 100);
    expect(daily).toHaveLength(100);
    // The one running at the window's start counts (it ends after it).
    expect(iso(daily[0].start)).toBe('2027-01-10T09:00:00.000Z');
    expect(iso(daily[99].start)).toBe('2027-04-19T09:00:00.000Z');
    const weekly = occurrencesOf(['RRULE:FREQ=WEEKLY'], series, window, 100);
    expect(weekly).toHaveLength(53);
    expect(iso(weekly[52].start)).toBe('2028-01-10T09:00:00.000Z');
  });

  it('expands all-day series as days', () => {
    const found = occurrencesOf(
      ['RRULE:FREQ=WEEKLY;COUNT=2'],
      { start: { date: '2027-01-04' }, end: { date: '2027-01-05' } },
      EVER,
      100,
    );
    expect(found.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ['2027-01-04T00:00:00.000Z', '2027-01-05T00:00:00.000Z'],
      ['2027-01-11T00:00:00.000Z', '2027-01-12T00:00:00.000Z'],
    ]);
  });

  it.each([
    [['RRULE:FREQ=SOMETIMES']],
    [['RRULE:FREQ=MINUTELY']],
    [['RRULE:COUNT=3']],
    [['RRULE:FREQ=DAILY;COUNT=x']],
    [['EXDATE:20270106T090000Z']],
    [['RDATE:tomorrow']],
    [['every monday']],
  ])('refuses %j with a RecurrenceError', (recurrence) => {
    const series = timed('2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z', 'UTC');
    expect(() => occurrencesOf(recurrence, series, EVER, 100)).toThrow(RecurrenceError);
  });

  it('refuses a timed series without a known time zone', () => {
    const noZone: SeriesTimes = {
      start: { dateTime: '2027-01-04T09:00:00Z' },
      end: { dateTime: '2027-01-04T10:00:00Z' },
    };
    expect(() => occurrencesOf(['RRULE:FREQ=DAILY'], noZone, EVER, 10)).toThrow(RecurrenceError);
    const badZone = timed('2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z', 'Mars/Olympus');
    expect(() => occurrencesOf(['RRULE:FREQ=DAILY'], badZone, EVER, 10)).toThrow(RecurrenceError);
  });
});

describe('splitRecurrence', () => {
  const berlin = timed('2027-01-04T10:00:00+01:00', '2027-01-04T11:00:00+01:00', 'Europe/Berlin');
  const splitAt = at('2027-01-18T09:00:00Z'); // the third Monday

  it('ends the original just before the split; the rest keeps an UNTIL as it is', () => {
    const { before, after } = splitRecurrence(['RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T090000Z'], berlin, splitAt);
    expect(before).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T085959Z']);
    expect(after).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T090000Z']);
    expect(occurrencesOf(before, berlin, EVER, 100)).toHaveLength(2);
  });

  it('gives a COUNT’s remaining occurrences to the rest', () => {
    const { before, after } = splitRecurrence(['RRULE:FREQ=WEEKLY;COUNT=5'], berlin, splitAt);
    expect(before).toEqual(['RRULE:FREQ=WEEKLY;UNTIL=20270118T085959Z']);
    expect(after).toEqual(['RRULE:FREQ=WEEKLY;COUNT=3']);
  });

  it('puts each EXDATE and RDATE on its side of the split', () => {
    const { before, after } = splitRecurrence(
      ['RRULE:FREQ=WEEKLY', 'EXDATE;TZID=Europe/Berlin:20270111T100000,20270125T100000', 'RDATE:20270201T120000Z'],
      berlin,
      splitAt,
    );
    expect(before).toEqual(['RRULE:FREQ=WEEKLY;UNTIL=20270118T085959Z', 'EXDATE;TZID=Europe/Berlin:20270111T100000']);
    expect(after).toEqual(['RRULE:FREQ=WEEKLY', 'EXDATE;TZID=Europe/Berlin:20270125T100000', 'RDATE:20270201T120000Z']);
  });

  it('ends an all-day series on the day before the split', () => {
    const days: SeriesTimes = { start: { date: '2027-01-04' }, end: { date: '2027-01-05' } };
    const { before, after } = splitRecurrence(['RRULE:FREQ=DAILY'], days, at('2027-01-10T00:00:00Z'));
    expect(before).toEqual(['RRULE:FREQ=DAILY;UNTIL=20270109']);
    expect(after).toEqual(['RRULE:FREQ=DAILY']);
  });
});
