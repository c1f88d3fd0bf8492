import { toEventFields } from '../calendar/calendar-event.mapper';
import { changedSince, inResyncWindow } from './changed-events';

const now = new Date('2026-12-01T12:00:00Z');
const at = (iso: string) => ({ dateTime: iso });

describe('inResyncWindow', () => {
  it('keeps events from 30 days back to a year ahead', () => {
    expect(inResyncWindow({ start: at('2026-12-02T09:00:00Z'), end: at('2026-12-02T10:00:00Z') }, now)).toBe(true);
    expect(inResyncWindow({ start: at('2026-11-01T13:00:00Z'), end: at('2026-11-01T14:00:00Z') }, now)).toBe(true);
    expect(inResyncWindow({ start: at('2026-10-31T09:00:00Z'), end: at('2026-10-31T10:00:00Z') }, now)).toBe(false);
    expect(inResyncWindow({ start: at('2027-11-30T09:00:00Z'), end: at('2027-11-30T10:00:00Z') }, now)).toBe(true);
    expect(inResyncWindow({ start: at('2027-12-02T09:00:00Z'), end: at('2027-12-02T10:00:00Z') }, now)).toBe(false);
  });

  it('keeps an event that began before the window and ends inside it', () => {
    expect(inResyncWindow({ start: at('2026-10-01T00:00:00Z'), end: at('2026-11-15T00:00:00Z') }, now)).toBe(true);
  });

  it('reads all-day dates, and keeps a series that began long ago', () => {
    expect(inResyncWindow({ start: { date: '2026-12-24' }, end: { date: '2026-12-25' } }, now)).toBe(true);
    expect(inResyncWindow({ start: { date: '2025-12-24' }, end: { date: '2025-12-25' } }, now)).toBe(false);
    const weekly = {
      start: at('2024-01-01T09:00:00Z'),
      end: at('2024-01-01T10:00:00Z'),
      recurrence: ['RRULE:FREQ=WEEKLY'],
    };
    expect(inResyncWindow(weekly, now)).toBe(true);
  });

  it('keeps a bare cancelled event', () => {
    expect(inResyncWindow({ id: 'x', status: 'cancelled' }, now)).toBe(true);
  });
});

describe('toEventFields (a changed event as delivered)', () => {
  it('carries the contract fields, the series rules, and no calendar id of its own', () => {
    const changed = toEventFields({
      id: 'e1',
      status: 'confirmed',
      summary: 'Standup',
      start: { dateTime: '2026-12-07T09:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T09:15:00+01:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=DAILY'],
      updated: '2026-12-01T10:00:00.000Z',
    });
    expect(changed).toMatchObject({
      id: 'e1',
      status: 'confirmed',
      summary: 'Standup',
      start: { dateTime: '2026-12-07T09:00:00+01:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=DAILY'],
      updated: '2026-12-01T10:00:00.000Z',
    });
    expect(changed).not.toHaveProperty('googleCalendarId');
    expect(toEventFields({ id: 'gone', status: 'cancelled' })).toMatchObject({ id: 'gone', status: 'cancelled' });
  });
});

describe('changedSince', () => {
  const since = new Date('2026-12-01T12:00:00.000Z');

  it('picks events Google changed at or after the time, not before', () => {
    expect(changedSince({ updated: '2026-12-01T12:00:00.000Z' }, since)).toBe(true);
    expect(changedSince({ updated: '2026-12-01T12:00:05.120Z' }, since)).toBe(true);
    expect(changedSince({ updated: '2026-12-01T11:59:59.999Z' }, since)).toBe(false);
  });

  it('leaves out an event without a readable `updated`', () => {
    expect(changedSince({}, since)).toBe(false);
    expect(changedSince({ updated: 'yesterday' }, since)).toBe(false);
  });
});
