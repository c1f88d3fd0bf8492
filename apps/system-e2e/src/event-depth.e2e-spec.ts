import { newSubaccountId } from '@connector-service/testing';
import { JsonBody, Stack } from './support/stack';

/**
 * Tags, recurring series and answering invitations as the SPA uses them: database-api's JWT
 * routes, proxied to webhook-api, against the Google sandbox, both apps as built processes on
 * a real database.
 */
describe('event tags, recurring series and invitations through database-api (system e2e)', () => {
  let stack: Stack;
  let subaccountId: string;
  let email: string;

  beforeAll(async () => {
    stack = await Stack.start();
    subaccountId = newSubaccountId();
    email = `depth-${subaccountId.slice(0, 8)}@example.com`;
    await stack.connect(subaccountId, email);
  }, 60_000);
  afterAll(() => stack?.stop());

  const route = (path: string) => `/api/connectors/${subaccountId}/google-calendar/${path}`;
  const call = (method: string, path: string, body?: unknown) => stack.asUser(subaccountId, method, route(path), body);
  /** Berlin wall-clock times in winter (+01:00), the zone named: what a series repeats in. */
  const berlin = (date: string, time: string) => ({ dateTime: `${date}T${time}:00+01:00`, timeZone: 'Europe/Berlin' });
  const listed = async (timeMin: string, timeMax: string, extra = ''): Promise<JsonBody[]> => {
    const res = await call('GET', `events?timeMin=${timeMin}&timeMax=${timeMax}${extra}`);
    expect(res.status).toBe(200);
    return res.body.data.items;
  };

  it('a tagged booking carries its tags, and ?tag= finds it', async () => {
    const booked = await call('POST', 'events', {
      summary: 'Tagged booking',
      start: berlin('2027-01-11', '09:00'),
      end: berlin('2027-01-11', '09:30'),
      tags: { bookingId: 'bk_sys_1', kind: 'intro' },
    });
    expect(booked.status).toBe(201);
    expect(booked.body.data.tags).toEqual({ bookingId: 'bk_sys_1', kind: 'intro' });
    const other = await call('POST', 'events', {
      summary: 'Other booking',
      start: berlin('2027-01-11', '10:00'),
      end: berlin('2027-01-11', '10:30'),
      tags: { bookingId: 'bk_sys_2', kind: 'intro' },
    });
    expect(other.status).toBe(201);

    const range = ['2027-01-11T00:00:00Z', '2027-01-12T00:00:00Z'] as const;
    const found = await listed(...range, '&tag=bookingId:bk_sys_1');
    expect(found.map((e) => [e.id, e.tags])).toEqual([[booked.body.data.id, { bookingId: 'bk_sys_1', kind: 'intro' }]]);
    const both = await listed(...range, '&tag=kind:intro&tag=bookingId:bk_sys_2');
    expect(both.map((e) => e.id)).toEqual([other.body.data.id]);
    expect((await listed(...range)).map((e) => e.tags)).toEqual([
      { bookingId: 'bk_sys_1', kind: 'intro' },
      { bookingId: 'bk_sys_2', kind: 'intro' },
    ]);

    const retagged = await call('PATCH', `events/${booked.body.data.id}`, { tags: { bookingId: 'bk_sys_1' } });
    expect(retagged.body.data.tags).toEqual({ bookingId: 'bk_sys_1' });
    expect(await listed(...range, '&tag=kind:intro&tag=bookingId:bk_sys_1')).toEqual([]);

    const bad = await call('GET', 'events?tag=no-colon');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('one instance moved (or cancelled) leaves the other occurrences as they were', async () => {
    const created = await call('POST', 'events', {
      summary: 'Weekly sync',
      start: berlin('2027-01-18', '09:00'),
      end: berlin('2027-01-18', '10:00'),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    });
    expect(created.status).toBe(201);
    const before = await listed('2027-01-18T00:00:00Z', '2027-02-15T00:00:00Z');
    expect(before.map((e) => e.recurringEventId)).toEqual(Array(4).fill(created.body.data.id));
    const [, second, third] = before;

    const moved = await call('PATCH', `events/${second.id}`, {
      start: berlin('2027-01-26', '14:00'),
      end: berlin('2027-01-26', '15:00'),
    });
    expect(moved.status).toBe(200);
    expect(moved.body.data.originalStartTime).toEqual(second.originalStartTime);
    expect((await call('DELETE', `events/${third.id}`)).status).toBe(200);

    const after = await listed('2027-01-18T00:00:00Z', '2027-02-15T00:00:00Z');
    expect(after.map((e) => [e.id, e.start.dateTime])).toEqual([
      [before[0].id, before[0].start.dateTime],
      [second.id, '2027-01-26T14:00:00+01:00'],
      [before[3].id, before[3].start.dateTime],
    ]);
  });

  it('this and following: the series is split, the answer is the new series', async () => {
    const created = await call('POST', 'events', {
      summary: 'Course',
      start: berlin('2027-02-15', '18:00'),
      end: berlin('2027-02-15', '19:30'),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      tags: { courseId: 'c-sys' },
    });
    expect(created.status).toBe(201);
    const instances = await listed('2027-02-15T00:00:00Z', '2027-03-15T00:00:00Z');
    const split = await call('PATCH', `events/${instances[2].id}?scope=following`, { summary: 'Course (room B)' });
    expect(split.status).toBe(200);
    expect(split.body.data).toMatchObject({
      summary: 'Course (room B)',
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
      tags: { courseId: 'c-sys' },
    });
    expect(split.body.data.id).not.toBe(created.body.data.id);

    const after = await listed('2027-02-15T00:00:00Z', '2027-03-15T00:00:00Z');
    expect(after.map((e) => [e.summary, e.start.dateTime, e.recurringEventId])).toEqual([
      ['Course', '2027-02-15T18:00:00+01:00', created.body.data.id],
      ['Course', '2027-02-22T18:00:00+01:00', created.body.data.id],
      ['Course (room B)', '2027-03-01T18:00:00+01:00', split.body.data.id],
      ['Course (room B)', '2027-03-08T18:00:00+01:00', split.body.data.id],
    ]);
    const notAnInstance = await call('PATCH', `events/${created.body.data.id}?scope=following`, { summary: 'x' });
    expect([notAnInstance.status, notAnInstance.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('requireFree refuses a series whose fourth occurrence is busy, naming it; nothing is booked', async () => {
    stack.google.addCalendarEvent(email, {
      summary: 'Already busy',
      start: { dateTime: '2027-03-29T09:15:00+02:00' },
      end: { dateTime: '2027-03-29T09:45:00+02:00' },
    });
    const res = await call('POST', 'events', {
      summary: 'Series on busy time',
      start: berlin('2027-03-08', '09:00'),
      end: berlin('2027-03-08', '10:00'),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'],
      requireFree: true,
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'SLOT_TAKEN',
      details: {
        start: '2027-03-29T07:15:00.000Z',
        end: '2027-03-29T07:45:00.000Z',
        // The fourth Monday, after the change to summer time: still 09:00 in Berlin.
        occurrence: { start: '2027-03-29T07:00:00.000Z', end: '2027-03-29T08:00:00.000Z' },
      },
    });
    expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Series on busy time')).toEqual([]);

    const free = await call('POST', 'events', {
      summary: 'Series on free time',
      start: berlin('2027-03-08', '11:00'),
      end: berlin('2027-03-08', '12:00'),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'],
      requireFree: true,
    });
    expect(free.status).toBe(201);
  });

  it('respond accepts an invitation as the connected account; an event it is not invited to is a 409 NOT_AN_ATTENDEE', async () => {
    const invitation = stack.google.addInvitation(email, {
      summary: 'Board meeting',
      start: { dateTime: '2027-04-05T09:00:00+02:00' },
      end: { dateTime: '2027-04-05T10:00:00+02:00' },
      organizer: { email: 'chair@example.com', displayName: 'The Chair' },
      attendees: [{ email: 'chair@example.com' }, { email: 'member@example.com' }],
    });
    const answered = await call('POST', `events/${invitation.id}/respond`, { responseStatus: 'accepted' });
    expect(answered.status).toBe(200);
    expect(answered.body.data.organizer).toEqual({ email: 'chair@example.com', displayName: 'The Chair' });
    expect(answered.body.data.attendees).toEqual([
      { email: 'chair@example.com', organizer: true, responseStatus: 'accepted' },
      { email: 'member@example.com', responseStatus: 'needsAction' },
      { email, self: true, responseStatus: 'accepted' },
    ]);
    expect(
      stack.google
        .calendarEvents(email)
        .find((e) => e.id === invitation.id)
        ?.attendees?.at(-1),
    ).toMatchObject({
      responseStatus: 'accepted',
    });

    const own = await call('POST', 'events', {
      summary: 'My own meeting',
      start: berlin('2027-01-12', '09:00'),
      end: berlin('2027-01-12', '10:00'),
      attendees: [{ email: 'guest@example.com' }],
    });
    const refused = await call('POST', `events/${own.body.data.id}/respond`, { responseStatus: 'declined' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'NOT_AN_ATTENDEE']);
  });
});
