import { chooseCalendars } from './watched-calendars.service';

describe('chooseCalendars', () => {
  const readable = [
    { id: 'me@example.com', summary: 'me@example.com', primary: true, accessRole: 'owner' },
    { id: 'c_team@group.calendar.google.com', summary: 'Team', primary: false, accessRole: 'writer' },
    { id: 'c_shared@group.calendar.google.com', summary: 'Shared', primary: false, accessRole: 'reader' },
    { id: 'c_busy@group.calendar.google.com', summary: 'Busy only', primary: false, accessRole: 'freeBusyReader' },
  ];

  it('names the primary calendar by its own id, matches ids ignoring case, keeps the order asked and each once', () => {
    expect(
      chooseCalendars(
        ['C_TEAM@group.calendar.google.com', 'primary', 'me@example.com', 'c_shared@group.calendar.google.com'],
        readable,
      ),
    ).toEqual({
      calendars: [
        { googleCalendarId: 'c_team@group.calendar.google.com', summary: 'Team' },
        { googleCalendarId: 'me@example.com', summary: 'me@example.com' },
        { googleCalendarId: 'c_shared@group.calendar.google.com', summary: 'Shared' },
      ],
      unreadable: [],
    });
  });

  it('finds unknown calendars and those whose events the account cannot read', () => {
    expect(chooseCalendars(['primary', 'c_busy@group.calendar.google.com', 'nope'], readable).unreadable).toEqual([
      'c_busy@group.calendar.google.com',
      'nope',
    ]);
  });
});
