import { responseSchema, schemaViolations, newSubaccountId } from '@connector-service/testing';
import { SandboxEvent } from '@connector-service/google-sandbox';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

/** Answers are read loosely here; their exact shapes are asserted where it matters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Tags, recurring series and answering invitations on a connection through webhook-api's
 * service routes, against the Google sandbox (Google's wire format) and a real database.
 * The account's calendar is in Europe/Berlin, so a series without a zone gets that one.
 */
describe('webhook-api event tags, recurring series and invitations (e2e: sandbox Google, real database)', () => {
  let stack: WebhookApiWithGoogle;
  let calendarId: string;
  const email = newEmail('depth');

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({ sandbox: { accounts: [{ email, timeZone: 'Europe/Berlin' }] } });
    ({ calendarId } = await stack.connect(newSubaccountId(), email));
  });
  afterAll(() => stack.stop());

  const base = () => `/api/google-calendar/connections/${calendarId}`;
  const post = (path: string, body: object) => stack.asService('post', `${base()}${path}`, { body });
  const patch = (path: string, body: object) => stack.asService('patch', `${base()}${path}`, { body });
  const get = (path: string) => stack.asService('get', `${base()}${path}`);
  const atGoogle = (id: string): SandboxEvent | undefined =>
    stack.google.calendarEvents(email, 'primary', { showDeleted: true }).find((e) => e.id === id);
  const lastGoogleCall = (method: string) => stack.google.requests.filter((r) => r.method === method).at(-1);
  /** The events listed in a range, in start order. */
  const listed = async (timeMin: string, timeMax: string): Promise<Json[]> =>
    (await get(`/events?timeMin=${timeMin}&timeMax=${timeMax}`).expect(200)).body.data.items;
  /** Those of them that are instances of these series (other tests' events share the calendar). */
  const instancesListed = async (timeMin: string, timeMax: string, ...seriesIds: string[]): Promise<Json[]> =>
    (await listed(timeMin, timeMax)).filter((e: Json) => seriesIds.includes(e.recurringEventId));
  /** Berlin's offset on a day of 2027 away from the changes (summer time from April to October). */
  const berlinOffset = (date: string) => (date.slice(5, 7) >= '04' && date.slice(5, 7) <= '10' ? '+02:00' : '+01:00');
  /** An event at Berlin wall-clock times (with their offset, without a timeZone). */
  const meeting = (date: string, from: string, to: string, extra: object = {}) => ({
    summary: 'Meeting',
    start: { dateTime: `${date}T${from}:00${berlinOffset(date)}` },
    end: { dateTime: `${date}T${to}:00${berlinOffset(date)}` },
    ...extra,
  });

  describe('tags', () => {
    it('are kept in extendedProperties.private and carried by every answer ({} when none)', async () => {
      const tags = { bookingId: 'bk_1', 'source-app': 'cal:web' };
      const created = await post('/events', meeting('2027-02-01', '09:00', '10:00', { tags })).expect(201);
      expect(created.body.data.tags).toEqual(tags);
      expect(atGoogle(created.body.data.id)?.extendedProperties).toEqual({ private: tags });
      expect((await get(`/events/${created.body.data.id}`).expect(200)).body.data.tags).toEqual(tags);

      const untagged = await post('/events', meeting('2027-02-01', '11:00', '12:00')).expect(201);
      expect(untagged.body.data.tags).toEqual({});
      const items = await listed('2027-02-01T00:00:00Z', '2027-02-02T00:00:00Z');
      expect(items.map((e: Json) => e.tags)).toEqual([tags, {}]);
    });

    it('PATCH with tags replaces them: a key left out is removed at Google', async () => {
      const created = await post(
        '/events',
        meeting('2027-02-02', '09:00', '10:00', { tags: { bookingId: 'bk_2', stage: 'new' } }),
      ).expect(201);
      const id = created.body.data.id as string;
      const changed = await patch(`/events/${id}`, { tags: { bookingId: 'bk_2', room: 'A' } }).expect(200);
      expect(changed.body.data.tags).toEqual({ bookingId: 'bk_2', room: 'A' });
      expect(atGoogle(id)?.extendedProperties).toEqual({ private: { bookingId: 'bk_2', room: 'A' } });

      // A PATCH without tags leaves them; an empty object removes them all.
      expect((await patch(`/events/${id}`, { summary: 'Renamed' }).expect(200)).body.data.tags).toEqual({
        bookingId: 'bk_2',
        room: 'A',
      });
      expect((await patch(`/events/${id}`, { tags: {} }).expect(200)).body.data.tags).toEqual({});
      expect(atGoogle(id)?.extendedProperties).toBeUndefined();
    });

    it('GET events?tag=key:value lists only events carrying every given tag', async () => {
      const day = '2027-02-03';
      const make = async (from: string, tags: object) =>
        (await post('/events', meeting(day, from, `${from.slice(0, 2)}:30`, { tags })).expect(201)).body.data.id;
      const first = await make('09:00', { bookingId: 'bk_3', kind: 'intro' });
      const second = await make('10:00', { bookingId: 'bk_3', kind: 'follow-up' });
      await make('11:00', { bookingId: 'bk_4', kind: 'intro' });
      const withColon = await make('12:00', { link: 'https://example.com/a:b' });
      const range = `timeMin=${day}T00:00:00Z&timeMax=${day}T23:59:59Z`;
      const ids = async (query: string) =>
        (await get(`/events?${range}&${query}`).expect(200)).body.data.items.map((e: Json) => e.id);

      expect(await ids('tag=bookingId:bk_3')).toEqual([first, second]);
      expect(await ids('tag=bookingId:bk_3&tag=kind:intro')).toEqual([first]);
      expect(await ids('tag=bookingId:bk_5')).toEqual([]);
      expect(await ids(`tag=${encodeURIComponent('link:https://example.com/a:b')}`)).toEqual([withColon]);
      expect(lastGoogleCall('GET')?.query).toMatchObject({ privateExtendedProperty: 'link=https://example.com/a:b' });
    });

    it.each<[string, object]>([
      ['an array', { tags: ['bookingId'] }],
      ['null', { tags: null }],
      ['11 keys', { tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }],
      ['a key with a dot', { tags: { 'booking.id': 'x' } }],
      ['an empty key', { tags: { '': 'x' } }],
      ['a key of 45 characters', { tags: { ['k'.repeat(45)]: 'x' } }],
      ['a number value', { tags: { bookingId: 42 } }],
      ['an object value', { tags: { bookingId: { $gt: '' } } }],
      ['a value of 257 characters', { tags: { bookingId: 'v'.repeat(257) } }],
    ])('tags that are %s: 400, nothing at Google', async (_what, change) => {
      const before = stack.google.requests.length;
      const created = await post('/events', meeting('2027-02-04', '09:00', '10:00', change)).expect(400);
      expect(created.body.error.code).toBe('VALIDATION_FAILED');
      expect(created.body.message).toMatch(/tag/);
      const patched = await patch('/events/someevent123', change).expect(400);
      expect(patched.body.error.code).toBe('VALIDATION_FAILED');
      expect(stack.google.requests.length).toBe(before);
    });

    it.each<[string, object]>([
      ['summary', { summary: null }],
      ['start and end', { start: null, end: null }],
      ['attendees', { attendees: null }],
    ])('a PATCH with %s null: 400, nothing at Google', async (_what, change) => {
      const before = stack.google.requests.length;
      const patched = await patch('/events/someevent123', change).expect(400);
      expect(patched.body.error.code).toBe('VALIDATION_FAILED');
      expect(stack.google.requests.length).toBe(before);
    });

    it('accepts the limits: 10 keys, a key of 44 characters, a value of 256', async () => {
      const tags = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
      const res = await post(
        '/events',
        meeting('2027-02-04', '10:00', '11:00', { tags: { ...tags, ['k'.repeat(44)]: 'v'.repeat(256) } }),
      ).expect(201);
      expect(Object.keys(res.body.data.tags)).toHaveLength(10);
    });

    it.each([
      ['tag=nocolon'],
      ['tag=bad%20key:v'],
      [`tag=k:${'v'.repeat(257)}`],
      [Array.from({ length: 11 }, (_, i) => `tag=k${i}:v`).join('&')],
    ])('GET events?%s is a 400', async (query) => {
      const res = await get(`/events?${query}`).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('recurring series', () => {
    it('a series without a timeZone gets the calendar’s; the listing expands it, keeping local time across DST', async () => {
      const created = await post('/events', {
        summary: 'Weekly',
        start: { dateTime: '2027-03-22T10:00:00+01:00' },
        end: { dateTime: '2027-03-22T10:30:00+01:00' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      }).expect(201);
      const series = created.body.data;
      expect(series).toMatchObject({
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
        start: { timeZone: 'Europe/Berlin' },
        end: { timeZone: 'Europe/Berlin' },
        tags: {},
      });
      expect(series.recurringEventId).toBeUndefined();
      expect(lastGoogleCall('POST')?.json).toMatchObject({ start: { timeZone: 'Europe/Berlin' } });

      const items = await listed('2027-03-20T00:00:00Z', '2027-04-10T00:00:00Z');
      expect(
        items.map((e: Json) => [e.id, e.recurringEventId, e.start.dateTime, e.originalStartTime.dateTime]),
      ).toEqual(
        [
          ['20270322T090000Z', '2027-03-22T10:00:00+01:00'],
          ['20270329T080000Z', '2027-03-29T10:00:00+02:00'],
          ['20270405T080000Z', '2027-04-05T10:00:00+02:00'],
        ].map(([suffix, start]) => [`${series.id}_${suffix}`, series.id, start, start]),
      );
      expect(items[0].recurrence).toBeUndefined();
      expect((await get(`/events/${series.id}`).expect(200)).body.data.recurrence).toEqual([
        'RRULE:FREQ=WEEKLY;COUNT=3',
      ]);
    });

    it('PATCH and DELETE of an instance change or cancel that occurrence alone; of the series, all of them', async () => {
      const created = await post(
        '/events',
        meeting('2027-04-12', '09:00', '10:00', { summary: 'Standup', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] }),
      ).expect(201);
      const id = created.body.data.id as string;
      const [first, second, third] = ['12', '19', '26'].map((d) => `${id}_202704${d}T070000Z`);
      const moved = await patch(`/events/${second}`, {
        start: { dateTime: '2027-04-20T15:00:00+02:00' },
        end: { dateTime: '2027-04-20T16:00:00+02:00' },
      }).expect(200);
      expect(moved.body.data).toMatchObject({
        id: second,
        recurringEventId: id,
        originalStartTime: { dateTime: '2027-04-19T09:00:00+02:00' },
        start: { dateTime: '2027-04-20T15:00:00+02:00' },
      });
      await stack.asService('delete', `${base()}/events/${third}`).expect(200);
      const items = await instancesListed('2027-04-01T00:00:00Z', '2027-05-10T00:00:00Z', id);
      expect(items.map((e: Json) => [e.id, e.start.dateTime])).toEqual([
        [first, '2027-04-12T09:00:00+02:00'],
        [second, '2027-04-20T15:00:00+02:00'],
        [`${id}_20270503T070000Z`, '2027-05-03T09:00:00+02:00'],
      ]);

      await patch(`/events/${id}`, { location: 'Room 1' }).expect(200);
      const renamed = await instancesListed('2027-04-01T00:00:00Z', '2027-05-10T00:00:00Z', id);
      expect(renamed.find((e: Json) => e.id === first).location).toBe('Room 1');
      await stack.asService('delete', `${base()}/events/${id}`).expect(200);
      expect(await instancesListed('2027-04-01T00:00:00Z', '2027-05-10T00:00:00Z', id)).toEqual([]);
    });

    it('PATCH ?scope=following splits the series as Google does and answers the new series', async () => {
      const created = await post('/events', {
        ...meeting('2027-05-10', '10:00', '11:00', { summary: 'Course' }),
        start: { dateTime: '2027-05-10T10:00:00+02:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2027-05-10T11:00:00+02:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5'],
        tags: { courseId: 'c1' },
      }).expect(201);
      const id = created.body.data.id as string;
      const third = `${id}_20270524T080000Z`;
      const res = await patch(`/events/${third}?scope=following`, {
        summary: 'Course (new room)',
        start: { dateTime: '2027-05-24T11:00:00+02:00' },
        end: { dateTime: '2027-05-24T12:00:00+02:00' },
      }).expect(200);
      const next = res.body.data;
      expect(next.id).not.toBe(id);
      expect(next).toMatchObject({
        summary: 'Course (new room)',
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
        start: {
          dateTime: expect.stringMatching(/^2027-05-24T(11:00:00\+02:00|09:00:00Z)$/),
          timeZone: 'Europe/Berlin',
        },
        tags: { courseId: 'c1' },
      });
      expect(next.recurringEventId).toBeUndefined();
      expect((await get(`/events/${id}`).expect(200)).body.data.recurrence).toEqual([
        'RRULE:FREQ=WEEKLY;UNTIL=20270524T075959Z',
      ]);
      const items = await instancesListed('2027-05-01T00:00:00Z', '2027-06-30T00:00:00Z', id, next.id);
      expect(items.map((e: Json) => [e.summary, e.start.dateTime, e.recurringEventId])).toEqual([
        ['Course', '2027-05-10T10:00:00+02:00', id],
        ['Course', '2027-05-17T10:00:00+02:00', id],
        ['Course (new room)', '2027-05-24T11:00:00+02:00', next.id],
        ['Course (new room)', '2027-05-31T11:00:00+02:00', next.id],
        ['Course (new room)', '2027-06-07T11:00:00+02:00', next.id],
      ]);
    });

    it('scope=following drops later changed instances of the original (no duplicates); at the first instance it changes the series', async () => {
      const created = await post(
        '/events',
        meeting('2027-06-14', '09:00', '10:00', { summary: 'Review', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] }),
      ).expect(201);
      const id = created.body.data.id as string;
      const instance = (day: string) => `${id}_202706${day}T070000Z`;
      // The third occurrence was moved on its own before the split at the second.
      await patch(`/events/${instance('28')}`, {
        start: { dateTime: '2027-06-29T09:00:00+02:00' },
        end: { dateTime: '2027-06-29T10:00:00+02:00' },
      }).expect(200);
      const split = await patch(`/events/${instance('21')}?scope=following`, { summary: 'Review (v2)' }).expect(200);
      const items = await instancesListed('2027-06-01T00:00:00Z', '2027-07-31T00:00:00Z', id, split.body.data.id);
      expect(items.map((e: Json) => [e.summary, e.start.dateTime])).toEqual([
        ['Review', '2027-06-14T09:00:00+02:00'],
        ['Review (v2)', '2027-06-21T09:00:00+02:00'],
        ['Review (v2)', '2027-06-28T09:00:00+02:00'],
        ['Review (v2)', '2027-07-05T09:00:00+02:00'],
      ]);
      expect(split.body.data.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=3']);

      const whole = await patch(`/events/${instance('14')}?scope=following`, { location: 'Hall' }).expect(200);
      expect(whole.body.data).toMatchObject({ id, location: 'Hall' });
      expect(whole.body.data.recurrence).toEqual(expect.arrayContaining([expect.stringMatching(/^RRULE:/)]));
    });

    it('scope=following on an event that is not an instance is a 400; an unknown scope too', async () => {
      const single = await post('/events', meeting('2027-06-15', '12:00', '13:00')).expect(201);
      const res = await patch(`/events/${single.body.data.id}?scope=following`, { summary: 'x' }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toMatch(/instance/);
      const series = await post(
        '/events',
        meeting('2027-06-15', '14:00', '15:00', { recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] }),
      ).expect(201);
      await patch(`/events/${series.body.data.id}?scope=following`, { summary: 'x' }).expect(400);
      const scope = await patch(`/events/${single.body.data.id}?scope=all`, { summary: 'x' }).expect(400);
      expect(scope.body.error.code).toBe('VALIDATION_FAILED');
    });

    it.each<[string, unknown]>([
      ['not a rule', ['EVERY MONDAY']],
      ['empty', []],
      ['no FREQ', ['RRULE:COUNT=3']],
      ['only EXDATE', ['EXDATE:20270104T090000Z']],
      ['a string', 'RRULE:FREQ=DAILY'],
    ])('a recurrence that is %s: 400, nothing at Google', async (_what, recurrence) => {
      const before = stack.google.requests.filter((r) => r.method === 'POST').length;
      const res = await post('/events', meeting('2027-06-16', '09:00', '10:00', { recurrence })).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(stack.google.requests.filter((r) => r.method === 'POST').length).toBe(before);
    });

    it('a rule Google refuses is a 400 (not a 502)', async () => {
      const res = await post(
        '/events',
        meeting('2027-06-16', '09:00', '10:00', { recurrence: ['RRULE:FREQ=SOMETIMES'] }),
      ).expect(400);
      expect(res.body.error.code).toBe('GOOGLE_REJECTED_REQUEST');
    });
  });

  describe('requireFree with recurrence', () => {
    const weekly = (summary: string, extra: object = {}) =>
      meeting('2027-08-02', '09:00', '10:00', {
        summary,
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'],
        requireFree: true,
        ...extra,
      });

    it('refuses a series whose fourth occurrence is busy: 409 SLOT_TAKEN naming it, nothing booked', async () => {
      stack.google.addCalendarEvent(email, {
        summary: 'Dentist',
        start: { dateTime: '2027-08-23T09:30:00+02:00' },
        end: { dateTime: '2027-08-23T11:00:00+02:00' },
      });
      const freeBusyBefore = stack.google.requests.filter((r) => r.path === '/calendar/v3/freeBusy').length;
      const res = await post('/events', weekly('Series on busy time')).expect(409);
      expect(res.body.error).toEqual({
        code: 'SLOT_TAKEN',
        details: {
          start: '2027-08-23T07:30:00.000Z',
          end: '2027-08-23T09:00:00.000Z',
          occurrence: { start: '2027-08-23T07:00:00.000Z', end: '2027-08-23T08:00:00.000Z' },
        },
      });
      // One query over the series' span (six weeks fit in two 30-day pieces).
      const freeBusyCalls = stack.google.requests.filter((r) => r.path === '/calendar/v3/freeBusy').length;
      expect(freeBusyCalls - freeBusyBefore).toBeLessThanOrEqual(2);
      expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Series on busy time')).toEqual([]);
    });

    it('books a series whose every occurrence is free, and refuses one overlapping it', async () => {
      const booked = await post(
        '/events',
        meeting('2027-09-06', '09:00', '10:00', {
          summary: 'Free series',
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
          requireFree: true,
        }),
      ).expect(201);
      expect(booked.body.data.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=3']);
      // A single event on its third occurrence is refused too.
      const single = await post(
        '/events',
        meeting('2027-09-20', '09:30', '10:30', { summary: 'Clash', requireFree: true }),
      ).expect(409);
      expect(single.body.error.code).toBe('SLOT_TAKEN');
    });

    it('checks at most 100 occurrences, within the next 365 days', async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const dayAfter = (days: number) => new Date(Date.parse(`${tomorrow}T00:00:00Z`) + days * 86_400_000);
      // Busy at the 150th occurrence of a daily series (06:00 UTC) and at the second of a yearly
      // one (07:00 UTC, a year from tomorrow): neither is checked.
      for (const [at, hour] of [
        [dayAfter(149), '06'],
        [dayAfter(365), '07'],
      ] as const) {
        const date = at.toISOString().slice(0, 10);
        stack.google.addCalendarEvent(email, {
          summary: 'Far away',
          start: { dateTime: `${date}T${hour}:00:00Z` },
          end: { dateTime: `${date}T${hour}:30:00Z` },
        });
      }
      const body = (summary: string, hour: string, recurrence: string[]) => ({
        summary,
        start: { dateTime: `${tomorrow}T${hour}:00:00Z`, timeZone: 'UTC' },
        end: { dateTime: `${tomorrow}T${hour}:30:00Z`, timeZone: 'UTC' },
        recurrence,
        requireFree: true,
      });
      await post('/events', body('Daily', '06', ['RRULE:FREQ=DAILY;COUNT=200'])).expect(201);
      await post('/events', body('Yearly', '07', ['RRULE:FREQ=YEARLY;COUNT=3'])).expect(201);
      // Within the bound the same series is refused.
      const refused = await post('/events', body('Daily again', '06', ['RRULE:FREQ=DAILY;COUNT=2'])).expect(409);
      expect(refused.body.error.code).toBe('SLOT_TAKEN');
    });

    it('a rule that cannot be expanded is a 400 before anything is booked', async () => {
      const res = await post('/events', weekly('Odd', { recurrence: ['RRULE:FREQ=SOMETIMES'] })).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Odd')).toEqual([]);
    });
  });

  describe('answering invitations', () => {
    it('respond patches only the account’s own attendee entry, sending the whole list, and answers the event', async () => {
      const invitation = stack.google.addInvitation(email, {
        summary: 'Their meeting',
        start: { dateTime: '2027-10-04T09:00:00+02:00' },
        end: { dateTime: '2027-10-04T10:00:00+02:00' },
        organizer: { email: 'boss@example.com', displayName: 'The Boss' },
        attendees: [{ email: 'boss@example.com' }, { email: 'colleague@example.com', optional: true }],
      });
      const read = await get(`/events/${invitation.id}`).expect(200);
      expect(read.body.data.organizer).toEqual({ email: 'boss@example.com', displayName: 'The Boss' });
      expect(read.body.data.attendees).toEqual([
        { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
        { email: 'colleague@example.com', optional: true, responseStatus: 'needsAction' },
        { email, self: true, responseStatus: 'needsAction' },
      ]);

      const res = await post(`/events/${invitation.id}/respond`, {
        responseStatus: 'accepted',
        comment: 'See you there',
      }).expect(200);
      expect(res.body.data.attendees).toEqual([
        { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
        { email: 'colleague@example.com', optional: true, responseStatus: 'needsAction' },
        { email, self: true, responseStatus: 'accepted', comment: 'See you there' },
      ]);
      const sent = lastGoogleCall('PATCH');
      expect(sent?.path).toBe(`/calendar/v3/calendars/primary/events/${invitation.id}`);
      expect(sent?.json).toEqual({
        attendees: [
          { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
          { email: 'colleague@example.com', optional: true, responseStatus: 'needsAction' },
          { email, self: true, responseStatus: 'accepted', comment: 'See you there' },
        ],
      });

      await post(`/events/${invitation.id}/respond`, { responseStatus: 'declined' }).expect(200);
      expect(atGoogle(invitation.id)?.attendees?.find((a) => a.self)).toMatchObject({
        responseStatus: 'declined',
        comment: 'See you there',
      });
    });

    it('an event whose attendees do not include the account: 409 NOT_AN_ATTENDEE, nothing changed', async () => {
      const own = await post(
        '/events',
        meeting('2027-10-05', '09:00', '10:00', { attendees: [{ email: 'guest@example.com' }] }),
      ).expect(201);
      expect(own.body.data.organizer).toEqual({ email, self: true });
      expect(own.body.data.attendees).toEqual([{ email: 'guest@example.com', responseStatus: 'needsAction' }]);
      const patches = stack.google.requests.filter((r) => r.method === 'PATCH').length;
      const res = await post(`/events/${own.body.data.id}/respond`, { responseStatus: 'tentative' }).expect(409);
      expect(res.body.error.code).toBe('NOT_AN_ATTENDEE');
      expect(stack.google.requests.filter((r) => r.method === 'PATCH').length).toBe(patches);
    });

    it.each<[string, object]>([
      ['an unknown answer', { responseStatus: 'maybe' }],
      ['needsAction', { responseStatus: 'needsAction' }],
      ['no answer', { comment: 'hi' }],
      ['an extra field', { responseStatus: 'accepted', sendUpdates: 'all' }],
      ['a comment of 1025 characters', { responseStatus: 'accepted', comment: 'c'.repeat(1025) }],
    ])('respond with %s is a 400', async (_what, body) => {
      const res = await post('/events/someevent123/respond', body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('answers as the OpenAPI document says: an answered invitation, a listing of a tagged series', async () => {
      const document = (await stack.api.http().get('/api/docs-json').expect(200)).body;
      const connection = '/api/google-calendar/connections/{calendarId}';
      const invitation = stack.google.addInvitation(email, {
        start: { dateTime: '2027-10-06T09:00:00+02:00' },
        end: { dateTime: '2027-10-06T10:00:00+02:00' },
        organizer: { email: 'boss@example.com' },
      });
      const answered = await post(`/events/${invitation.id}/respond`, { responseStatus: 'tentative' }).expect(200);
      const respondSchema = responseSchema(document, `${connection}/events/{eventId}/respond`, 'post', 200);
      expect(schemaViolations(document, respondSchema, answered.body)).toEqual([]);

      await post(
        '/events',
        meeting('2027-10-11', '09:00', '10:00', { recurrence: ['RRULE:FREQ=DAILY;COUNT=2'], tags: { courseId: 'c2' } }),
      ).expect(201);
      const page = await get('/events?timeMin=2027-10-11T00:00:00Z&timeMax=2027-10-13T00:00:00Z').expect(200);
      expect(page.body.data.items).toHaveLength(2);
      const listSchema = responseSchema(document, `${connection}/events`, 'get', 200);
      expect(schemaViolations(document, listSchema, page.body)).toEqual([]);
    });

    it('respond to an event Google does not know is a 404', async () => {
      const res = await post('/events/unknownevent1/respond', { responseStatus: 'accepted' }).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });
});
