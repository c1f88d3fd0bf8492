import { getFreePort, newSubaccountId } from '@connector-service/testing';
import type { Test } from 'supertest';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DatabaseApiUnderTest,
  E2E_SERVICE_TOKEN,
  E2E_WEBHOOK_TOKEN,
  startDatabaseApi,
} from './support/database-api-app';
import { FakeWebhookApi, startFakeWebhookApi } from './support/fake-webhook-api';

const SPA_ORIGIN = 'https://app.example.com';
const TIMEOUT_MS = 1000;
const EVENT_ID = 'c5m6q8p1h0t4k2r3';

/** One calendar route: how the SPA calls it and what webhook-api must receive. */
interface Route {
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Below `/api/connectors/:subaccountId/google-calendar/` and `/api/google-calendar/connections/:calendarId/`. */
  path: string;
  query?: Record<string, string>;
  body?: object;
  status: number;
}

const FREE_BUSY = {
  timeMin: '2026-12-07T00:00:00Z',
  timeMax: '2026-12-12T00:00:00+01:00',
  googleCalendarIds: ['primary', 'team@group.calendar.google.com'],
};
const AVAILABILITY = {
  timeMin: '2026-12-07T00:00:00Z',
  timeMax: '2026-12-12T00:00:00Z',
  durationMinutes: 30,
  timeZone: 'Europe/Berlin',
  workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
  slotStepMinutes: 15,
  bufferBeforeMinutes: 5,
  bufferAfterMinutes: 10,
  minNoticeMinutes: 60,
  googleCalendarIds: ['primary'],
};
const NEW_EVENT = {
  googleCalendarId: 'primary',
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20261214T090000'],
  tags: { bookingId: 'bk_42', 'source-app': 'spa' },
  summary: 'Intro call',
  description: 'First talk',
  location: 'Online',
  start: { dateTime: '2026-12-07T09:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-12-07T09:30:00+01:00', timeZone: 'Europe/Berlin' },
  attendees: [{ email: 'guest@example.com', optional: true }],
  conference: { type: 'google_meet' },
  sendUpdates: 'all',
  requireFree: true,
};

const ROUTES: Record<string, Route> = {
  listCalendars: { name: 'listCalendars', method: 'get', path: 'calendars', status: 200 },
  freeBusy: { name: 'freeBusy', method: 'post', path: 'freebusy', body: FREE_BUSY, status: 200 },
  availability: { name: 'availability', method: 'post', path: 'availability', body: AVAILABILITY, status: 200 },
  listEvents: {
    name: 'listEvents',
    method: 'get',
    path: 'events',
    query: {
      timeMin: '2026-12-07T00:00:00+01:00',
      timeMax: '2026-12-14T00:00:00+01:00',
      googleCalendarId: 'team@group.calendar.google.com',
      pageToken: 'page-2',
      maxResults: '50',
    },
    status: 200,
  },
  createEvent: { name: 'createEvent', method: 'post', path: 'events', body: NEW_EVENT, status: 201 },
  getEvent: {
    name: 'getEvent',
    method: 'get',
    path: `events/${EVENT_ID}`,
    query: { googleCalendarId: 'team@group.calendar.google.com' },
    status: 200,
  },
  updateEvent: {
    name: 'updateEvent',
    method: 'patch',
    path: `events/${EVENT_ID}`,
    query: { googleCalendarId: 'primary' },
    body: {
      summary: 'Moved call',
      start: { dateTime: '2026-12-08T10:00:00Z' },
      end: { dateTime: '2026-12-08T10:30:00Z' },
    },
    status: 200,
  },
  cancelEvent: {
    name: 'cancelEvent',
    method: 'delete',
    path: `events/${EVENT_ID}`,
    query: { googleCalendarId: 'primary', sendUpdates: 'externalOnly' },
    status: 200,
  },
  updateFollowing: {
    name: 'updateFollowing',
    method: 'patch',
    path: `events/${EVENT_ID}_20261207T080000Z`,
    query: { googleCalendarId: 'primary', scope: 'following' },
    body: { summary: 'From now on', tags: { bookingId: 'bk_42' } },
    status: 200,
  },
  respondToEvent: {
    name: 'respondToEvent',
    method: 'post',
    path: `events/${EVENT_ID}/respond`,
    query: { googleCalendarId: 'team@group.calendar.google.com' },
    body: { responseStatus: 'accepted', comment: 'See you there' },
    status: 200,
  },
  listWatchedCalendars: { name: 'listWatchedCalendars', method: 'get', path: 'watched-calendars', status: 200 },
  setWatchedCalendars: {
    name: 'setWatchedCalendars',
    method: 'put',
    path: 'watched-calendars',
    body: { googleCalendarIds: ['primary', 'team@group.calendar.google.com'] },
    status: 200,
  },
};
const ALL_ROUTES = Object.values(ROUTES);

describe('database-api calendar work on a connection (e2e, real database, stand-in webhook-api)', () => {
  let webhookApi: FakeWebhookApi;
  let api: DatabaseApiUnderTest;
  let subaccountId: string;
  let token: string;
  let calendarId: string;

  beforeAll(async () => {
    webhookApi = await startFakeWebhookApi();
    api = await startDatabaseApi({
      WEBHOOK_SERVER_URL: webhookApi.url,
      WEBHOOK_API_TIMEOUT_MS: String(TIMEOUT_MS),
      CORS_ORIGINS: SPA_ORIGIN,
    });
  });
  afterAll(async () => {
    await api.close();
    await webhookApi.close();
  });

  beforeEach(() => {
    subaccountId = newSubaccountId();
    token = api.userToken([subaccountId]);
    calendarId = newSubaccountId();
    webhookApi.reset();
  });

  const addConnector = (sub = subaccountId) =>
    api
      .http()
      .post(`/api/connectors/${sub}`)
      .set('Authorization', `Bearer ${api.userToken([sub])}`)
      .send({ connectorId: 'google-calendar' })
      .expect(201);

  /** The connector as webhook-api's callback leaves it: metadata with the connection's calendarId. */
  async function connect(metadata: Record<string, unknown> = { calendarId }, sub = subaccountId): Promise<void> {
    await addConnector(sub);
    await api
      .http()
      .post(`/api/connectors/${sub}/metadata/update`)
      .set('Authorization', `Bearer ${E2E_SERVICE_TOKEN}`)
      .send({ metadata: { isConnected: true, status: 'connected', ...metadata } })
      .expect(200);
  }

  interface CallOptions {
    sub?: string;
    /** null: no Authorization header. */
    jwt?: string | null;
    requestId?: string;
    idempotencyKey?: string;
    query?: Record<string, string>;
    body?: object;
    origin?: string;
  }

  function call(route: Route, options: CallOptions = {}, http = api): Test {
    const sub = options.sub ?? subaccountId;
    let req = http.http()[route.method](`/api/connectors/${sub}/google-calendar/${route.path}`);
    const query = options.query ?? route.query;
    if (query) req = req.query(query);
    const jwt = options.jwt === undefined ? token : options.jwt;
    if (jwt !== null) req = req.set('Authorization', `Bearer ${jwt}`);
    if (options.requestId) req = req.set('x-request-id', options.requestId);
    if (options.idempotencyKey !== undefined) req = req.set('Idempotency-Key', options.idempotencyKey);
    if (options.origin) req = req.set('Origin', options.origin);
    const body = options.body ?? route.body;
    return body ? req.send(body) : req;
  }

  function webhookPath(route: Route, id = calendarId): string {
    return `/api/google-calendar/connections/${id}/${route.path}`;
  }

  describe('whose connection', () => {
    it('answers 401 without a token or with a bad one, on every route, and calls nothing', async () => {
      await connect();
      for (const route of ALL_ROUTES) {
        for (const jwt of [null, 'not.a.jwt', E2E_SERVICE_TOKEN]) {
          const res = await call(route, { jwt });
          expect([route.name, res.status, res.body.error?.code]).toEqual([route.name, 401, 'UNAUTHORIZED']);
        }
      }
      expect(webhookApi.requests).toEqual([]);
    });

    it("answers 403 for another tenant's connection, on every route, and calls nothing", async () => {
      const other = newSubaccountId();
      await connect({ calendarId }, other);
      for (const route of ALL_ROUTES) {
        const res = await call(route, { sub: other });
        expect([route.name, res.status, res.body.error?.code]).toEqual([route.name, 403, 'FORBIDDEN']);
      }
      expect(webhookApi.requests).toEqual([]);
    });

    it('lets an admin reach any subaccount’s connection', async () => {
      await connect();
      webhookApi.answerWith({ status: 200, body: { success: true, data: [] } });
      await call(ROUTES.listCalendars, { jwt: api.userToken([], 'admin') }).expect(200);
      expect(webhookApi.requests.map((r) => r.path)).toEqual([webhookPath(ROUTES.listCalendars)]);
    });

    it('answers 404 CONNECTOR_NOT_FOUND without a google-calendar connector, on every route', async () => {
      for (const route of ALL_ROUTES) {
        const res = await call(route);
        expect([route.name, res.status, res.body.error?.code]).toEqual([route.name, 404, 'CONNECTOR_NOT_FOUND']);
      }
      expect(webhookApi.requests).toEqual([]);
    });

    it('answers 409 NOT_CONNECTED for a connector that was never connected, on every route', async () => {
      await addConnector();
      const disconnect: Route = { name: 'disconnect', method: 'delete', path: 'connection', status: 200 };
      // The disconnect route too: one condition, one status (the contract's "disconnect included").
      for (const route of [...ALL_ROUTES, disconnect]) {
        const res = await call(route);
        expect([route.name, res.status, res.body]).toEqual([
          route.name,
          409,
          { success: false, message: expect.any(String), error: { code: 'NOT_CONNECTED' } },
        ]);
      }
      expect(webhookApi.requests).toEqual([]);
    });

    it.each([[null], ['not-a-calendar-id'], [42]])(
      'answers 409 NOT_CONNECTED when the metadata names no usable calendarId (%j)',
      async (value) => {
        await connect({ calendarId: value });
        const res = await call(ROUTES.listCalendars).expect(409);
        expect(res.body.error.code).toBe('NOT_CONNECTED');
        expect(webhookApi.requests).toEqual([]);
      },
    );
  });

  describe('what reaches webhook-api', () => {
    it.each(ALL_ROUTES.map((route) => [route.name, route] as const))(
      '%s: the exact method, path, query and body, the service token and the request id; its data and status come back',
      async (_name, route) => {
        await connect();
        const data = { answeredBy: 'webhook-api', route: route.name };
        webhookApi.answerWith({ status: route.status, body: { success: true, data } });

        const res = await call(route, { requestId: `trace-${route.name}` });

        expect(res.status).toBe(route.status);
        expect(res.body).toEqual({ success: true, data });
        expect(res.headers['x-request-id']).toBe(`trace-${route.name}`);
        expect(res.headers['idempotent-replayed']).toBeUndefined();
        expect(webhookApi.requests).toHaveLength(1);
        const [seen] = webhookApi.requests;
        expect(seen).toMatchObject({
          method: route.method.toUpperCase(),
          path: webhookPath(route),
          query: route.query ?? {},
          body: route.body,
        });
        expect(seen.headers['authorization']).toBe(`Bearer ${E2E_WEBHOOK_TOKEN}`);
        // So webhook-api can refuse a connection that is not this subaccount's.
        expect(seen.headers['x-subaccount-id']).toBe(subaccountId);
        expect(seen.headers['x-request-id']).toBe(`trace-${route.name}`);
        expect(seen.headers['idempotency-key']).toBeUndefined();
      },
    );

    it('forwards the Idempotency-Key of a create, and Idempotent-Replayed of a replay back to the SPA', async () => {
      await connect();
      const event = { id: 'evt1', googleCalendarId: 'primary', status: 'confirmed' };
      webhookApi.answerWith({ status: 201, body: { success: true, data: event } });
      const first = await call(ROUTES.createEvent, { idempotencyKey: 'booking-42:attempt' }).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      webhookApi.answerWith({
        status: 201,
        body: { success: true, data: event },
        headers: { 'Idempotent-Replayed': 'true' },
      });
      const replay = await call(ROUTES.createEvent, { idempotencyKey: 'booking-42:attempt' }).expect(201);
      expect(replay.body).toEqual({ success: true, data: event });
      expect(replay.headers['idempotent-replayed']).toBe('true');

      expect(webhookApi.requests.map((r) => r.headers['idempotency-key'])).toEqual([
        'booking-42:attempt',
        'booking-42:attempt',
      ]);
      expect(webhookApi.requests.map((r) => r.body)).toEqual([NEW_EVENT, NEW_EVENT]);
    });

    it('accepts the limits themselves: a 255-character key, a 90-day range, durations 5 and 1440', async () => {
      await connect();
      webhookApi.answerWith({ status: 201, body: { success: true, data: {} } });
      const key = '!'.repeat(100) + '~'.repeat(155);
      await call(ROUTES.createEvent, { idempotencyKey: key }).expect(201);
      webhookApi.answerWith({ status: 200, body: { success: true, data: {} } });
      const ninetyDays = { timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-04-01T00:00:00Z' };
      await call(ROUTES.freeBusy, { body: ninetyDays }).expect(200);
      for (const durationMinutes of [5, 1440]) {
        await call(ROUTES.availability, { body: { ...AVAILABILITY, durationMinutes } }).expect(200);
      }
      expect(webhookApi.requests.map((r) => r.headers['idempotency-key'])).toEqual([
        key,
        undefined,
        undefined,
        undefined,
      ]);
      expect(webhookApi.requests[1].body).toEqual(ninetyDays);
    });

    it("answers with webhook-api's success status (a create it answers 200)", async () => {
      await connect();
      webhookApi.answerWith({ status: 200, body: { success: true, data: { id: 'evt1' } } });
      const res = await call(ROUTES.createEvent, { idempotencyKey: 'k1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { id: 'evt1' } });
    });

    it("gives webhook-api what is left of WEBHOOK_API_TIMEOUT_MS counted from the SPA request's arrival", async () => {
      await connect();
      webhookApi.answerWith({ status: 200, body: { success: true, data: {} } });
      const server = api.app.getHttpServer() as Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        // The SPA's request arrives, and its body takes 400 ms more (a slow uplink).
        const body = JSON.stringify(FREE_BUSY);
        const answered = new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port: (server.address() as AddressInfo).port,
              method: 'POST',
              path: `/api/connectors/${subaccountId}/google-calendar/freebusy`,
              headers: {
                Authorization: `Bearer ${token}`,
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.write(body.slice(0, 10));
          setTimeout(() => req.end(body.slice(10)), 400);
        });
        expect(await answered).toBe(200);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      const announced = Number(webhookApi.requests[0]?.headers['x-request-timeout-ms']);
      expect(announced).toBeGreaterThan(0);
      expect(announced).toBeLessThanOrEqual(TIMEOUT_MS - 400);
    });

    it('passes its own request id on when the SPA sent none, the one it answers with', async () => {
      await connect();
      webhookApi.answerWith({ status: 200, body: { success: true, data: [] } });
      const res = await call(ROUTES.listCalendars).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(webhookApi.requests[0].headers['x-request-id']).toBe(res.headers['x-request-id']);
    });

    it('passes tag filters on one by one (repeated tag=key:value, values with colons intact)', async () => {
      await connect();
      webhookApi.answerWith({ status: 200, body: { success: true, data: { items: [] } } });
      const tags = ['bookingId:bk_42', 'link:https://example.com/a:b,c'];
      const path = `/api/connectors/${subaccountId}/google-calendar/events`;
      const several = `${path}?googleCalendarId=primary&${tags.map((t) => `tag=${encodeURIComponent(t)}`).join('&')}`;
      await api.http().get(several).set('Authorization', `Bearer ${token}`).expect(200);
      await api
        .http()
        .get(`${path}?tag=${encodeURIComponent(tags[0])}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(webhookApi.requests.map((r) => [r.path, r.query])).toEqual([
        [webhookPath(ROUTES.listEvents), { googleCalendarId: 'primary', tag: tags }],
        [webhookPath(ROUTES.listEvents), { tag: tags[0] }],
      ]);
    });

    it('keeps the message of webhook-api’s answer', async () => {
      await connect();
      const cancelled = { id: EVENT_ID, googleCalendarId: 'primary', status: 'cancelled' };
      webhookApi.answerWith({ status: 200, body: { success: true, message: 'Already cancelled', data: cancelled } });
      const res = await call(ROUTES.cancelEvent).expect(200);
      expect(res.body).toEqual({ success: true, message: 'Already cancelled', data: cancelled });
    });
  });

  describe("webhook-api's errors", () => {
    it.each<[string, number, string, string, object | undefined, Record<string, string>]>([
      ['createEvent', 422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another body', undefined, {}],
      [
        'createEvent',
        409,
        'SLOT_TAKEN',
        'The time is taken',
        { start: '2026-12-07T08:00:00Z', end: '2026-12-07T08:45:00Z' },
        {},
      ],
      ['freeBusy', 429, 'RATE_LIMITED', 'Google rate-limited this account', undefined, { 'Retry-After': '7' }],
      ['listCalendars', 502, 'GOOGLE_UNAVAILABLE', 'Google failed', { googleStatus: 503 }, {}],
      ['availability', 504, 'GOOGLE_TIMEOUT', 'Google did not answer in time', undefined, {}],
      ['getEvent', 404, 'NOT_FOUND', 'Google does not know this event', undefined, {}],
      ['listEvents', 409, 'NOT_CONNECTED', 'Google Calendar is disconnected', undefined, {}],
      ['updateEvent', 409, 'REAUTH_REQUIRED', 'Google access was lost', undefined, {}],
      ['cancelEvent', 403, 'GOOGLE_PERMISSION_DENIED', 'Google denied it', { reason: 'forbidden' }, {}],
      ['respondToEvent', 409, 'NOT_AN_ATTENDEE', 'The connected account is not among the attendees', undefined, {}],
      ['updateFollowing', 400, 'VALIDATION_FAILED', 'scope=following needs an instance', undefined, {}],
      ['listEvents', 400, 'GOOGLE_REJECTED_REQUEST', 'Google refused it', { reason: 'badRequest' }, {}],
    ])(
      '%s: HTTP %i %s goes to the SPA unchanged (status, code, message, details, Retry-After)',
      async (name, status, code, message, details, headers) => {
        await connect();
        const envelope = { success: false, message, error: { code, ...(details ? { details } : {}) } };
        webhookApi.answerWith({ status, body: envelope, headers });
        const res = await call(ROUTES[name]);
        expect(res.status).toBe(status);
        expect(res.body).toEqual(envelope);
        expect(res.headers['retry-after']).toBe(headers['Retry-After']);
        expect(webhookApi.requests).toHaveLength(1);
      },
    );

    it.each([
      [500, { success: false, message: 'boom', error: { code: 'INTERNAL_ERROR', requestId: 'x' } }],
      [401, { success: false, message: 'bad service token', error: { code: 'UNAUTHORIZED' } }],
      [503, { success: false, message: 'db down', error: { code: 'DATABASE_UNAVAILABLE' } }],
      [502, { success: false, message: 'not Google', error: { code: 'UPSTREAM_UNAVAILABLE' } }],
      [409, { success: false, message: 'unknown code', error: { code: 'SOMETHING_NEW' } }],
      [200, { unexpected: 'not an envelope' }],
    ])('answers webhook-api failing (HTTP %i %j) as 502 UPSTREAM_UNAVAILABLE', async (status, body) => {
      await connect();
      webhookApi.answerWith({ status, body, headers: { 'Retry-After': '9' } });
      const res = await call(ROUTES.listCalendars).expect(502);
      expect(res.body).toEqual({
        success: false,
        message: 'webhook-api is unavailable',
        error: { code: 'UPSTREAM_UNAVAILABLE' },
      });
      expect(res.headers['retry-after']).toBeUndefined();
    });

    it('answers 504 UPSTREAM_TIMEOUT when webhook-api does not answer within WEBHOOK_API_TIMEOUT_MS', async () => {
      await connect();
      webhookApi.answerWith({ status: 201, body: { success: true, data: {} }, delayMs: TIMEOUT_MS + 2000 });
      const started = Date.now();
      const res = await call(ROUTES.createEvent, { idempotencyKey: 'slow-1' }).expect(504);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
      expect(res.body).toEqual({
        success: false,
        message: 'webhook-api did not answer in time',
        error: { code: 'UPSTREAM_TIMEOUT' },
      });
      expect(webhookApi.requests).toHaveLength(1);
    });

    it('answers 502 UPSTREAM_UNAVAILABLE when webhook-api is unreachable', async () => {
      // A second app on the same database whose webhook-api address has no listener.
      const nobody = await startDatabaseApi({
        MONGODB_URI: api.mongoUri,
        WEBHOOK_SERVER_URL: `http://127.0.0.1:${await getFreePort()}`,
      });
      try {
        await connect();
        for (const route of [ROUTES.listCalendars, ROUTES.createEvent]) {
          const res = await call(route, {}, nobody);
          expect([route.name, res.status, res.body]).toEqual([
            route.name,
            502,
            { success: false, message: 'webhook-api is unavailable', error: { code: 'UPSTREAM_UNAVAILABLE' } },
          ]);
        }
      } finally {
        await nobody.close();
      }
    });
  });

  describe('input rules (400 VALIDATION_FAILED, nothing sent to webhook-api)', () => {
    const { timeMin } = FREE_BUSY;
    it.each<[string, Route, CallOptions, string]>([
      [
        'a range over 90 days',
        ROUTES.freeBusy,
        { body: { timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-04-01T00:00:01Z' } },
        '90 days',
      ],
      ['timeMax equal to timeMin', ROUTES.freeBusy, { body: { timeMin, timeMax: timeMin } }, 'timeMax must be after'],
      [
        'timeMax before timeMin',
        ROUTES.freeBusy,
        { body: { timeMin, timeMax: '2026-12-06T00:00:00Z' } },
        'timeMax must be after',
      ],
      [
        'timeMax <= timeMin in the events query',
        ROUTES.listEvents,
        { query: { timeMin: '2026-12-07T10:00:00+01:00', timeMax: '2026-12-07T09:00:00Z' } },
        'timeMax must be after',
      ],
      [
        'a time without an offset',
        ROUTES.freeBusy,
        { body: { ...FREE_BUSY, timeMin: '2026-12-07T00:00:00' } },
        'RFC 3339',
      ],
      [
        'an unknown timeZone',
        ROUTES.availability,
        { body: { ...AVAILABILITY, timeZone: 'Mars/Olympus_Mons' } },
        'IANA time zone',
      ],
      [
        'a duration of 4 minutes',
        ROUTES.availability,
        { body: { ...AVAILABILITY, durationMinutes: 4 } },
        'durationMinutes',
      ],
      [
        'a duration of 1441 minutes',
        ROUTES.availability,
        { body: { ...AVAILABILITY, durationMinutes: 1441 } },
        'durationMinutes',
      ],
      [
        'working hours ending before they start',
        ROUTES.availability,
        { body: { ...AVAILABILITY, workingHours: [{ days: ['mon'], start: '17:00', end: '09:00' }] } },
        'end must be after start',
      ],
      [
        'working hours ending when they start',
        ROUTES.availability,
        { body: { ...AVAILABILITY, workingHours: [{ days: ['mon'], start: '09:00', end: '09:00' }] } },
        'end must be after start',
      ],
      ['an extra field in a create', ROUTES.createEvent, { body: { ...NEW_EVENT, color: 'red' } }, 'should not exist'],
      [
        'an extra field in a nested object',
        ROUTES.createEvent,
        { body: { ...NEW_EVENT, start: { ...NEW_EVENT.start, extra: 1 } } },
        'should not exist',
      ],
      [
        'an extra field in a free/busy body',
        ROUTES.freeBusy,
        { body: { ...FREE_BUSY, calendars: [] } },
        'should not exist',
      ],
      [
        'a field the update does not take',
        ROUTES.updateEvent,
        { body: { googleCalendarId: 'other' } },
        'should not exist',
      ],
      [
        'an object where a string belongs',
        ROUTES.createEvent,
        { body: { ...NEW_EVENT, summary: { $gt: '' } } },
        'summary',
      ],
      ['an unknown query parameter', ROUTES.listEvents, { query: { orderBy: 'updated' } }, 'should not exist'],
      ['a tag filter without a colon', ROUTES.listEvents, { query: { tag: 'bookingId' } }, 'tag must be key:value'],
      ['a tag filter with a bad key', ROUTES.listEvents, { query: { tag: 'booking.id:1' } }, 'tag must be key:value'],
      ['tags that are an array', ROUTES.createEvent, { body: { ...NEW_EVENT, tags: ['x'] } }, 'tags must be an object'],
      [
        'a tag key with a dot',
        ROUTES.updateEvent,
        { body: { tags: { 'booking.id': 'x' } } },
        'must be 1–44 characters',
      ],
      [
        'a tag value of 257 characters',
        ROUTES.createEvent,
        { body: { ...NEW_EVENT, tags: { bookingId: 'v'.repeat(257) } } },
        'at most 256 characters',
      ],
      [
        'eleven tags',
        ROUTES.createEvent,
        { body: { ...NEW_EVENT, tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) } },
        'at most 10 keys',
      ],
      [
        'a recurrence line that is no rule',
        ROUTES.createEvent,
        { body: { ...NEW_EVENT, recurrence: ['EVERY MONDAY'] } },
        'recurrence line',
      ],
      ['an unknown scope', ROUTES.updateFollowing, { query: { scope: 'all' } }, 'scope'],
      ['an unknown answer', ROUTES.respondToEvent, { body: { responseStatus: 'maybe' } }, 'responseStatus'],
      [
        'an extra field in an answer',
        ROUTES.respondToEvent,
        { body: { responseStatus: 'accepted', sendUpdates: 'all' } },
        'should not exist',
      ],
      ['maxResults over 2500', ROUTES.listEvents, { query: { maxResults: '2501' } }, 'maxResults'],
      ['a malformed event id', { ...ROUTES.getEvent, path: 'events/bad.id' }, {}, 'eventId'],
      ['a malformed subaccount id', ROUTES.listCalendars, { sub: 'not-a-subaccount' }, 'subaccountId'],
      [
        'an Idempotency-Key of 256 characters',
        ROUTES.createEvent,
        { idempotencyKey: 'k'.repeat(256) },
        'Idempotency-Key',
      ],
      ['an Idempotency-Key with a space', ROUTES.createEvent, { idempotencyKey: 'two words' }, 'Idempotency-Key'],
      ['an empty Idempotency-Key', ROUTES.createEvent, { idempotencyKey: '' }, 'Idempotency-Key'],
      ['an Idempotency-Key that is not ASCII', ROUTES.createEvent, { idempotencyKey: 'clé' }, 'Idempotency-Key'],
    ])('answers 400 for %s', async (_what, route, options, problem) => {
      await connect();
      const res = await call(route, { ...options, jwt: options.sub ? api.userToken([], 'admin') : undefined });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      expect(res.body.message).toContain(problem);
      expect(webhookApi.requests).toEqual([]);
    });
  });

  describe('CORS for the SPA', () => {
    it('lets the SPA send Authorization, Content-Type, Idempotency-Key and x-request-id (and nothing else) in a preflight', async () => {
      const res = await api
        .http()
        .options(`/api/connectors/${subaccountId}/google-calendar/events`)
        .set('Origin', SPA_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key,x-request-id,x-anything');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
      const allowed = String(res.headers['access-control-allow-headers'])
        .toLowerCase()
        .split(/\s*,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-request-id']),
      );
      // A fixed list, not whatever the preflight asks for.
      expect(allowed).not.toContain('x-anything');
      const methods = String(res.headers['access-control-allow-methods']).split(',');
      expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
      expect(webhookApi.requests).toEqual([]);
    });

    it('lets the SPA read Retry-After, x-request-id and Idempotent-Replayed', async () => {
      await connect();
      webhookApi.answerWith({
        status: 429,
        body: { success: false, message: 'slow down', error: { code: 'RATE_LIMITED' } },
        headers: { 'Retry-After': '3' },
      });
      const res = await call(ROUTES.listCalendars, { origin: SPA_ORIGIN }).expect(429);
      expect(res.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
      expect(res.headers['retry-after']).toBe('3');
      const exposed = String(res.headers['access-control-expose-headers'])
        .toLowerCase()
        .split(/\s*,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'x-request-id', 'idempotent-replayed']));
    });

    it('allows no other origin', async () => {
      const res = await api
        .http()
        .options(`/api/connectors/${subaccountId}/google-calendar/events`)
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,idempotency-key');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('OpenAPI document', () => {
    // 431: a request line and headers over 16 KiB, answered in the envelope on every operation.
    const ERRORS = ['400', '401', '403', '404', '409', '429', '431', '502', '504'];
    it.each<[string, string, string, string, string[]]>([
      ['listCalendars', 'get', 'calendars', '200', ERRORS],
      ['freeBusy', 'post', 'freebusy', '200', ERRORS],
      ['availability', 'post', 'availability', '200', ERRORS],
      ['listEvents', 'get', 'events', '200', ERRORS],
      ['createEvent', 'post', 'events', '201', [...ERRORS, '422']],
      ['getEvent', 'get', 'events/{eventId}', '200', ERRORS],
      ['updateEvent', 'patch', 'events/{eventId}', '200', ERRORS],
      ['cancelEvent', 'delete', 'events/{eventId}', '200', ERRORS],
      ['respondToEvent', 'post', 'events/{eventId}/respond', '200', ERRORS],
    ])('documents %s with its operation id, envelope and error answers', async (name, method, path, ok, errors) => {
      const doc = (await api.http().get('/api/docs-json').expect(200)).body;
      const operation = doc.paths[`/api/connectors/{subaccountId}/google-calendar/${path}`]?.[method];
      expect(operation?.operationId).toBe(`GoogleCalendarController_${name}`);
      expect(operation.summary).toEqual(expect.any(String));
      expect(Object.keys(operation.responses).sort()).toEqual([ok, ...errors].sort());
      expect(operation.responses[ok].content['application/json'].schema.required).toEqual(['success', 'data']);
      expect(operation.responses['429'].headers).toHaveProperty('Retry-After');
      expect(operation.security).toEqual([{ 'user-jwt': [] }]);
      const idempotencyKey = (operation.parameters as { name: string; in: string }[]).find(
        (parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key',
      );
      if (name === 'createEvent') {
        expect(idempotencyKey).toMatchObject({ required: false, schema: { maxLength: 255 } });
        expect(operation.responses['201'].headers).toHaveProperty('Idempotent-Replayed');
      } else {
        expect(idempotencyKey).toBeUndefined();
      }
    });
  });
});
