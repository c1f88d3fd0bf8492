import { tagsOf, toEventDto } from './calendar-event.mapper';

describe('toEventDto', () => {
  it('answers an instance with its organizer, originalStartTime, attendees’ answers and tags', () => {
    const event = toEventDto(
      {
        id: 's1_20270104T090000Z',
        status: 'confirmed',
        summary: 'Course',
        start: { dateTime: '2027-01-04T10:00:00+01:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2027-01-04T11:00:00+01:00', timeZone: 'Europe/Berlin' },
        recurringEventId: 's1',
        originalStartTime: { dateTime: '2027-01-04T10:00:00+01:00', timeZone: 'Europe/Berlin' },
        organizer: { email: 'boss@example.com', displayName: 'The Boss', self: false },
        attendees: [
          { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
          { email: 'me@example.com', self: true, responseStatus: 'tentative', comment: 'Maybe', optional: false },
        ],
        extendedProperties: { private: { bookingId: 'bk_1' }, shared: { other: 'app' } },
      },
      'primary',
    );
    expect(event).toMatchObject({
      id: 's1_20270104T090000Z',
      googleCalendarId: 'primary',
      recurringEventId: 's1',
      originalStartTime: { dateTime: '2027-01-04T10:00:00+01:00', timeZone: 'Europe/Berlin' },
      organizer: { email: 'boss@example.com', displayName: 'The Boss' },
      attendees: [
        { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
        { email: 'me@example.com', self: true, responseStatus: 'tentative', comment: 'Maybe' },
      ],
      tags: { bookingId: 'bk_1' },
    });
    expect(event.organizer).not.toHaveProperty('self');
    expect(event.recurrence).toBeUndefined();
  });

  it('answers tags {} for an event without private properties, and no organizer when Google gives none', () => {
    const event = toEventDto({ id: 'e1', extendedProperties: { shared: { a: 'b' } } }, 'primary');
    expect(event.tags).toEqual({});
    expect(event).not.toHaveProperty('organizer');
    expect(event).not.toHaveProperty('originalStartTime');
    expect(tagsOf({ id: 'e2' })).toEqual({});
  });
});
