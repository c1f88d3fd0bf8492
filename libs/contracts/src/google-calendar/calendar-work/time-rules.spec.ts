import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventTimeDto } from './calendar-event.dto';
import { FreeBusyRequestDto } from './free-busy.dto';

const errorsOf = (body: object) =>
  validateSync(plainToInstance(FreeBusyRequestDto, body)).flatMap((e) => Object.keys(e.constraints ?? {}));

describe('RFC 3339 ranges (FreeBusyRequestDto)', () => {
  it('takes date-times with an offset or Z', () => {
    expect(errorsOf({ timeMin: '2026-12-07T09:00:00+01:00', timeMax: '2026-12-07T10:00:00.5Z' })).toEqual([]);
  });

  it.each([
    ['2026-12-07T09:00:00', 'no offset'],
    ['2026-12-07 09:00:00Z', 'a space'],
    ['2026-02-30T09:00:00Z', '30 February'],
    ['2026-12-07T24:00:00Z', 'hour 24'],
    ['2026-13-01T09:00:00Z', 'month 13'],
    ['2026-12-07T09:00:00+25:00', 'offset +25'],
  ])('refuses %s (%s)', (timeMin) => {
    expect(errorsOf({ timeMin, timeMax: '2026-12-31T00:00:00Z' }).length).toBeGreaterThan(0);
  });

  it('refuses an empty, reversed or over-90-day range', () => {
    expect(errorsOf({ timeMin: '2026-12-07T00:00:00Z', timeMax: '2026-12-07T00:00:00Z' })).toEqual(['isRangeEnd']);
    expect(errorsOf({ timeMin: '2026-12-08T00:00:00Z', timeMax: '2026-12-07T00:00:00Z' })).toEqual(['isRangeEnd']);
    expect(errorsOf({ timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-04-01T00:00:01Z' })).toEqual(['isRangeEnd']);
    expect(errorsOf({ timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-04-01T00:00:00Z' })).toEqual([]);
  });
});

describe('EventTimeDto', () => {
  const errors = (time: object) =>
    validateSync(plainToInstance(EventTimeDto, time)).flatMap((e) => Object.keys(e.constraints ?? {}));

  it('takes a dateTime or a date', () => {
    expect(errors({ dateTime: '2026-12-07T09:00:00+01:00', timeZone: 'Europe/Berlin' })).toEqual([]);
    expect(errors({ date: '2026-12-24' })).toEqual([]);
  });

  it('refuses both, neither, and days that do not exist', () => {
    expect(errors({ dateTime: '2026-12-07T09:00:00+01:00', date: '2026-12-07' })).toContain('notBothDateAndDateTime');
    expect(errors({}).length).toBeGreaterThan(0);
    expect(errors({ date: '2026-02-30' })).toEqual(['isRealDate']);
    expect(errors({ date: '2026-99-99' }).length).toBeGreaterThan(0);
  });
});
