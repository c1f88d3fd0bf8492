import { newSubaccountId } from '@connector-service/testing';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

/**
 * The calendar work on a connection through webhook-api's service routes, against the
 * Google sandbox (Google's wire format) and a real database.
 */
describe('webhook-api calendar work (e2e: sandbox Google, real database)', () => {
  let stack: WebhookApiWithGoogle;
  let calendarId: string;
  let email: string;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start();
    email = newEmail('calendar');
    ({ calendarId } = await stack.connect(newSubaccountId(), email));
  });
  afterAll(() => stack.stop());

  const base = () => `/api/google-calendar/connections/${calendarId}`;
  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    stack.asService('post', `${base()}${path}`, { body, headers });
  const googleCalls = (path: string, method = 'POST') =>
    stack.google.requests.filter((r) => r.method === method && r.path === path).length;
  const eventsAtGoogle = () => stack.google.calendarEvents(email);

  /** A day in the future (slots never start before now), at 00:00 UTC. */
  const day = (offsetDays: number) => new Date(Date.UTC(2027, 0, 4 + offsetDays)).toISOString().slice(0, 10);
  const event = (date: string, from: string, to: string, extra: object = {}) => ({
    summary: 'Meeting',
    start: { dateTime: `${date}T${from}:00Z` },
    end: { dateTime: `${date}T${to}:00Z` },
    ...extra,
  });

  describe('free/busy', () => {
    it('reflects events created through the API; an unknown calendar reports its error beside the others', async () => {
      const date = day(0);
      await post('/events', event(date, '10:00', '11:00')).expect(201);
      await post('/events', event(date, '10:30', '12:00')).expect(201);
      const res = await post('/freebusy', {
        timeMin: `${date}T00:00:00Z`,
        timeMax: `${date}T23:59:59Z`,
        googleCalendarIds: ['primary', 'nobody@group.calendar.google.com'],
      }).expect(200);
      expect(res.body.data).toEqual({
        timeMin: `${date}T00:00:00.000Z`,
        timeMax: `${date}T23:59:59.000Z`,
        calendars: [
          { googleCalendarId: 'primary', busy: [{ start: `${date}T10:00:00.000Z`, end: `${date}T12:00:00.000Z` }] },
          { googleCalendarId: 'nobody@group.calendar.google.com', busy: [], error: 'notFound' },
        ],
      });
    });

    it('asks Google in chunks: 90 days in 30-day pieces, 60 calendars in groups of 50', async () => {
      const before = googleCalls('/calendar/v3/freeBusy');
      const ids = ['primary', ...Array.from({ length: 59 }, (_, i) => `other-${i}@group.calendar.google.com`)];
      const res = await post('/freebusy', {
        timeMin: '2027-01-01T00:00:00Z',
        timeMax: '2027-04-01T00:00:00Z',
        googleCalendarIds: ids,
      }).expect(200);
      expect(googleCalls('/calendar/v3/freeBusy') - before).toBe(3 * 2);
      expect(res.body.data.calendars).toHaveLength(60);
      const calls = stack.google.requests.filter((r) => r.path === '/calendar/v3/freeBusy').slice(-6);
      for (const call of calls)
        expect(((call.json as { items: unknown[] }).items ?? []).length).toBeLessThanOrEqual(50);
    });

    it('keeps at most 4 of those Google calls in flight at once', async () => {
      const ids = ['primary', ...Array.from({ length: 59 }, (_, i) => `more-${i}@group.calendar.google.com`)];
      // Each query takes 300 ms, so calls sent together are seen together.
      stack.google.failApiRequests(6, { kind: 'hang', ms: 300 }, { path: '/calendar/v3/freeBusy' });
      stack.google.resetMaxConcurrentRequests();
      const before = googleCalls('/calendar/v3/freeBusy');
      const res = await post('/freebusy', {
        timeMin: '2027-01-01T00:00:00Z',
        timeMax: '2027-04-01T00:00:00Z',
        googleCalendarIds: ids,
      }).expect(200);
      expect(res.body.data.calendars).toHaveLength(60);
      expect(googleCalls('/calendar/v3/freeBusy') - before).toBe(6);
      expect(stack.google.maxConcurrentRequests()).toBeLessThanOrEqual(4);
      expect(stack.google.maxConcurrentRequests()).toBeGreaterThan(1);
    });

    it.each([
      [{ timeMin: '2027-01-01T00:00:00Z', timeMax: '2027-04-02T00:00:00Z' }, 'over 90 days'],
      [{ timeMin: '2027-01-02T00:00:00Z', timeMax: '2027-01-01T00:00:00Z' }, 'timeMax before timeMin'],
      [{ timeMin: '2027-01-01T00:00:00Z', timeMax: '2027-01-01T00:00:00Z' }, 'an empty range'],
      [{ timeMin: '2027-01-01 00:00', timeMax: '2027-01-02T00:00:00Z' }, 'no RFC 3339'],
      [{ timeMin: '2027-01-01T00:00:00', timeMax: '2027-01-02T00:00:00Z' }, 'no offset'],
      [{ timeMin: '2027-01-01T00:00:00Z', timeMax: '2027-01-02T00:00:00Z', googleCalendarIds: [] }, 'no calendars'],
    ] as [object, string][])('%j is a 400 (%s)', async (body) => {
      const res = await post('/freebusy', body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('availability', () => {
    it('slots avoid busy times, with buffers, in the zone asked for', async () => {
      const date = day(1);
      await post('/events', event(date, '10:00', '11:00')).expect(201);
      const res = await post('/availability', {
        timeMin: `${date}T00:00:00Z`,
        timeMax: `${date}T23:59:59Z`,
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
        workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '14:00' }],
        bufferAfterMinutes: 30,
      }).expect(200);
      // 09:00–14:00 Berlin is 08:00–13:00 UTC; busy 10:00–11:00 UTC (11:00–12:00 Berlin).
      expect(res.body.data).toEqual({
        timeZone: 'Europe/Berlin',
        slots: [
          { start: `${date}T09:00:00+01:00`, end: `${date}T10:00:00+01:00` },
          { start: `${date}T12:00:00+01:00`, end: `${date}T13:00:00+01:00` },
          { start: `${date}T13:00:00+01:00`, end: `${date}T14:00:00+01:00` },
        ],
      });
    });

    it('keeps working hours in local time across the end of daylight-saving time (Europe/Berlin, 2027-03-28)', async () => {
      const res = await post('/availability', {
        timeMin: '2027-03-26T00:00:00Z',
        timeMax: '2027-03-30T00:00:00Z',
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
        workingHours: [{ days: ['fri', 'mon'], start: '09:00', end: '10:00' }],
      }).expect(200);
      expect(res.body.data.slots).toEqual([
        { start: '2027-03-26T09:00:00+01:00', end: '2027-03-26T10:00:00+01:00' },
        { start: '2027-03-29T09:00:00+02:00', end: '2027-03-29T10:00:00+02:00' },
      ]);
    });

    it.each([
      [{ timeZone: 'Mars/Olympus' }, 'unknown time zone'],
      [{ durationMinutes: 4 }, 'duration under 5'],
      [{ durationMinutes: 1441 }, 'duration over 1440'],
      [{ slotStepMinutes: 2000 }, 'step over 1440'],
      [{ workingHours: [{ days: ['mon'], start: '17:00', end: '09:00' }] }, 'end before start'],
      [{ workingHours: [{ days: ['mon'], start: '09:00', end: '09:00' }] }, 'end equal to start'],
      [{ workingHours: [{ days: ['someday'], start: '09:00', end: '10:00' }] }, 'no weekday'],
    ] as [object, string][])('%j is a 400 (%s)', async (change) => {
      const res = await post('/availability', {
        timeMin: '2027-01-04T00:00:00Z',
        timeMax: '2027-01-05T00:00:00Z',
        durationMinutes: 30,
        timeZone: 'Europe/Berlin',
        ...change,
      }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('creating events with an Idempotency-Key', () => {
    it('the same key twice answers the same event, and Google holds one', async () => {
      const body = event(day(2), '09:00', '09:30', { summary: 'Idempotent once' });
      const first = await post('/events', body, { 'Idempotency-Key': 'key-sequential' }).expect(201);
      const second = await post('/events', body, { 'Idempotency-Key': 'key-sequential' }).expect(201);
      expect(second.body.data).toEqual(first.body.data);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(first.body.data.id).toMatch(/^[0-9a-v]{52}$/);
      expect(eventsAtGoogle().filter((e) => e.summary === 'Idempotent once')).toHaveLength(1);
    });

    it('five at once with one key: one event at Google, one id', async () => {
      const body = event(day(2), '10:00', '10:30', { summary: 'Idempotent five' });
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => post('/events', body, { 'Idempotency-Key': 'key-concurrent' })),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
      expect(eventsAtGoogle().filter((e) => e.summary === 'Idempotent five')).toHaveLength(1);
    });

    it('the same key with another body is a 422 IDEMPOTENCY_KEY_REUSED', async () => {
      await post('/events', event(day(2), '11:00', '11:30'), { 'Idempotency-Key': 'key-reused' }).expect(201);
      const res = await post('/events', event(day(2), '11:00', '11:45'), { 'Idempotency-Key': 'key-reused' }).expect(
        422,
      );
      expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('work redone after the answer was lost (the record gone, as after a crash) finds the event Google holds', async () => {
      const body = event(day(2), '12:00', '12:30', { summary: 'Lost answer' });
      const first = await post('/events', body, { 'Idempotency-Key': 'key-lost' }).expect(201);
      const deleted = await stack.mongo.db().collection('idempotencyrecords').deleteMany({});
      expect(deleted.deletedCount).toBeGreaterThan(0);
      const retry = await post('/events', body, { 'Idempotency-Key': 'key-lost' }).expect(201);
      expect(retry.body.data.id).toBe(first.body.data.id);
      expect(eventsAtGoogle().filter((e) => e.summary === 'Lost answer')).toHaveLength(1);
    });

    it('a cancelled event keeps its id reserved at Google: a new key is a new event', async () => {
      const body = event(day(2), '13:00', '13:30', { summary: 'Cancelled then new' });
      const first = await post('/events', body, { 'Idempotency-Key': 'key-old' }).expect(201);
      await stack.asService('delete', `${base()}/events/${first.body.data.id}`).expect(200);
      const fresh = await post('/events', body, { 'Idempotency-Key': 'key-new' }).expect(201);
      expect(fresh.body.data.id).not.toBe(first.body.data.id);
      expect(fresh.body.data.status).toBe('confirmed');
    });

    it.each([[''], ['x'.repeat(256)], ['bad key with spaces']])('refuses the key %j with a 400', async (key) => {
      const res = await post('/events', event(day(2), '14:00', '14:30'), { 'Idempotency-Key': key }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('requireFree', () => {
    it('five overlapping requests at once: exactly one 201, four 409 SLOT_TAKEN with the busy interval', async () => {
      const date = day(3);
      const answers = await Promise.all(
        ['09:00', '09:15', '09:00', '09:30', '08:45'].map((from, i) =>
          post('/events', {
            summary: `Race ${i}`,
            start: { dateTime: `${date}T${from}:00Z` },
            end: { dateTime: `${date}T10:00:00Z` },
            requireFree: true,
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      for (const refused of answers.filter((a) => a.status === 409)) {
        expect(refused.body.error.code).toBe('SLOT_TAKEN');
        expect(refused.body.error.details).toEqual({ start: expect.any(String), end: expect.any(String) });
      }
      expect(eventsAtGoogle().filter((e) => String(e.summary).startsWith('Race '))).toHaveLength(1);
    });

    it.each([
      ['1900-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '126 years'],
      ['0240-01-01T00:00:00Z', '0240-04-01T00:00:01Z', '91 days in the year 240'],
      ['2027-01-01T00:00:00Z', '2027-04-01T00:00:01Z', '90 days and a second'],
    ])(
      'requireFree for an event from %s to %s (%s, longer than free/busy’s 90 days) is a 400 without a Google call',
      async (from, to) => {
        const callsBefore = stack.google.requests.length;
        const res = await post('/events', {
          summary: 'Too long to check',
          start: { dateTime: from },
          end: { dateTime: to },
          requireFree: true,
        }).expect(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.message).toMatch(/90 days/);
        expect(stack.google.requests.length).toBe(callsBefore);
      },
    );

    it('requireFree for an event of exactly 90 days is checked and booked', async () => {
      const res = await post('/events', {
        summary: 'A long stay',
        start: { dateTime: '2031-01-01T00:00:00Z' },
        end: { dateTime: '2031-04-01T00:00:00Z' },
        requireFree: true,
      }).expect(201);
      expect(res.body.data).toMatchObject({ status: 'confirmed', summary: 'A long stay' });
    });

    it('a free time is booked', async () => {
      const date = day(3);
      const res = await post('/events', { ...event(date, '15:00', '15:30'), requireFree: true }).expect(201);
      expect(res.body.data).toMatchObject({ status: 'confirmed', summary: 'Meeting' });
    });
  });

  describe('reading, changing and cancelling', () => {
    it('creates with attendees and a Meet link, reads it, patches only the given fields, cancels twice', async () => {
      const created = await post('/events', {
        ...event(day(4), '09:00', '10:00'),
        summary: 'Review',
        description: 'Agenda',
        attendees: [{ email: 'guest@example.com', optional: true }],
        conference: { type: 'google_meet' },
        sendUpdates: 'all',
      }).expect(201);
      const id = created.body.data.id as string;
      expect(created.body.data).toMatchObject({
        googleCalendarId: 'primary',
        summary: 'Review',
        description: 'Agenda',
        attendees: [{ email: 'guest@example.com', optional: true }],
        htmlLink: expect.stringMatching(/^https:\/\//),
      });
      const insert = stack.google.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).at(-1);
      expect(insert?.query).toMatchObject({ conferenceDataVersion: '1', sendUpdates: 'all' });
      expect(created.body.data.meetLink).toMatch(/^https:\/\/meet\.google\.com\//);

      const read = await stack.asService('get', `${base()}/events/${id}`).expect(200);
      expect(read.body.data).toEqual(created.body.data);

      const patched = await stack
        .asService('patch', `${base()}/events/${id}`, { body: { summary: 'Review (moved)' } })
        .expect(200);
      expect(patched.body.data).toMatchObject({
        summary: 'Review (moved)',
        description: 'Agenda',
        start: created.body.data.start,
      });
      const patch = stack.google.requests.filter((r) => r.method === 'PATCH').at(-1);
      expect(patch?.json).toEqual({ summary: 'Review (moved)' });

      const cancelled = await stack.asService('delete', `${base()}/events/${id}`).expect(200);
      expect(cancelled.body.data).toEqual({ id, googleCalendarId: 'primary', status: 'cancelled' });
      await stack.asService('delete', `${base()}/events/${id}`).expect(200);
      await stack.asService('delete', `${base()}/events/neverexisted123`).expect(200);
    });

    it('lists single events in start order without cancelled ones, passing page tokens through', async () => {
      const date = day(5);
      for (const [from, to] of [
        ['15:00', '16:00'],
        ['09:00', '10:00'],
        ['12:00', '13:00'],
      ])
        await post('/events', event(date, from, to, { summary: `List ${from}` })).expect(201);
      const gone = await post('/events', event(date, '11:00', '11:30', { summary: 'List gone' })).expect(201);
      await stack.asService('delete', `${base()}/events/${gone.body.data.id}`).expect(200);

      const query = `timeMin=${date}T00:00:00Z&timeMax=${date}T23:59:59Z&maxResults=2`;
      const first = await stack.asService('get', `${base()}/events?${query}`).expect(200);
      expect(first.body.data.items.map((e: { summary: string }) => e.summary)).toEqual(['List 09:00', 'List 12:00']);
      expect(first.body.data.nextPageToken).toEqual(expect.any(String));
      const second = await stack
        .asService('get', `${base()}/events?${query}&pageToken=${encodeURIComponent(first.body.data.nextPageToken)}`)
        .expect(200);
      expect(second.body.data.items.map((e: { summary: string }) => e.summary)).toEqual(['List 15:00']);
      const list = stack.google.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events')).at(-1);
      expect(list?.query).toMatchObject({ singleEvents: 'true', orderBy: 'startTime' });
    });

    it('an event Google does not know is a 404', async () => {
      const res = await stack.asService('get', `${base()}/events/unknownevent1`).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  it('a disconnected connection answers 409 NOT_CONNECTED on every calendar route', async () => {
    const other = await stack.connect(newSubaccountId(), newEmail('gone'));
    await stack.asService('delete', `/api/google-calendar/connections/${other.calendarId}`).expect(200);
    const path = `/api/google-calendar/connections/${other.calendarId}`;
    for (const call of [
      stack.asService('get', `${path}/calendars`),
      stack.asService('post', `${path}/freebusy`, {
        body: { timeMin: '2027-01-01T00:00:00Z', timeMax: '2027-01-02T00:00:00Z' },
      }),
      stack.asService('get', `${path}/events`),
      stack.asService('post', `${path}/events`, { body: event(day(0), '09:00', '10:00') }),
    ]) {
      const res = await call.expect(409);
      expect(res.body.error.code).toBe('NOT_CONNECTED');
    }
  });
});
