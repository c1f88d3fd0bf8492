import { completedEvent, rememberedFields } from './event-memory';

describe('event memory: completing a cancelled event', () => {
  const seen = {
    id: 'evt1',
    status: 'confirmed',
    summary: 'Intro call',
    description: 'not kept',
    start: { dateTime: '2030-12-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2030-12-02T10:30:00+01:00', timeZone: 'Europe/Berlin' },
    tags: { bookingId: 'b-1' },
    attendees: [],
    updated: '2030-11-01T00:00:00.000Z',
  };
  /** A cancellation as the mapper writes Google's bare `{ id, status }`. */
  const bare = { id: 'evt1', status: 'cancelled', summary: '', start: {}, end: {}, tags: {}, attendees: [] };

  it('keeps only the remembered fields of an event, by name', () => {
    expect(rememberedFields(seen)).toEqual({
      summary: 'Intro call',
      start: seen.start,
      end: seen.end,
      tags: { bookingId: 'b-1' },
    });
  });

  it('fills what Google left out from the event’s own memory and keeps what Google gave', () => {
    expect(completedEvent(bare, rememberedFields(seen), undefined)).toEqual({
      ...bare,
      summary: 'Intro call',
      start: seen.start,
      end: seen.end,
      tags: { bookingId: 'b-1' },
    });
    const withSummary = { ...bare, summary: 'Renamed at Google' };
    expect(completedEvent(withSummary, rememberedFields(seen), undefined)).toMatchObject({
      summary: 'Renamed at Google',
      start: seen.start,
    });
    expect(completedEvent(bare, undefined, undefined)).toBe(bare);
  });

  it('completes an occurrence never listed on its own from its series, at its own times', () => {
    const series = rememberedFields({ ...seen, id: 'series1', recurrence: ['RRULE:FREQ=WEEKLY'] });
    const occurrence = {
      ...bare,
      id: 'series1_20301209T090000Z',
      recurringEventId: 'series1',
      originalStartTime: { dateTime: '2030-12-09T10:00:00+01:00', timeZone: 'Europe/Berlin' },
    };
    expect(completedEvent(occurrence, undefined, series)).toEqual({
      ...occurrence,
      summary: 'Intro call',
      tags: { bookingId: 'b-1' },
      start: occurrence.originalStartTime,
      end: { dateTime: '2030-12-09T10:30:00+01:00', timeZone: 'Europe/Berlin' },
    });
    // An all-day series: its length in days.
    const allDay = rememberedFields({ ...seen, start: { date: '2030-12-02' }, end: { date: '2030-12-04' } });
    const day = { ...occurrence, originalStartTime: { date: '2030-12-09' } };
    expect(completedEvent(day, undefined, allDay)).toMatchObject({
      start: { date: '2030-12-09' },
      end: { date: '2030-12-11' },
    });
    // The occurrence's own memory (a changed one) wins over the series'.
    const moved = {
      summary: 'Moved',
      start: { dateTime: '2030-12-09T14:00:00Z' },
      end: { dateTime: '2030-12-09T15:00:00Z' },
    };
    expect(completedEvent(occurrence, moved, series)).toMatchObject({ summary: 'Moved', start: moved.start, tags: {} });
  });
});
