import { newSubaccountId } from '@connector-service/testing';
import { eventually, JsonBody, Stack } from './support/stack';

/**
 * The calendar work as the SPA uses it: database-api's JWT routes, proxied to webhook-api,
 * against the Google sandbox, both apps as built processes on a real database. database-api
 * reaches webhook-api through a TCP proxy so a test can cut the answer of a create.
 */
describe('calendar work through database-api (system e2e)', () => {
  let stack: Stack;
  let subaccountId: string;
  let email: string;

  beforeAll(async () => {
    // webhook-api gives up on Google (1.5 s) well before database-api gives up on it (3 s).
    stack = await Stack.start({ proxyWebhookApi: true, webhookEnv: { OUTBOUND_TIMEOUT_MS: '1500' } });
    subaccountId = newSubaccountId();
    email = `calendar-${subaccountId.slice(0, 8)}@example.com`;
    await stack.connect(subaccountId, email);
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.google.clearApiFailures());

  const route = (path: string) => `/api/connectors/${subaccountId}/google-calendar/${path}`;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    stack.asUser(subaccountId, method, route(path), body, headers);
  const atGoogle = (summary: string) => stack.google.calendarEvents(email).filter((e) => e.summary === summary);
  const event = (summary: string, date: string, from: string, to: string, extra: object = {}) => ({
    summary,
    start: { dateTime: `${date}T${from}:00+01:00` },
    end: { dateTime: `${date}T${to}:00+01:00` },
    ...extra,
  });

  it('checks the tenant: another subaccount’s token is a 403, none a 401', async () => {
    const other = stack.userToken([newSubaccountId()]);
    const forbidden = await fetch(`${stack.databaseApi.url}${route('calendars')}`, {
      headers: { Authorization: `Bearer ${other}` },
    });
    expect(forbidden.status).toBe(403);
    const anonymous = await fetch(`${stack.databaseApi.url}${route('calendars')}`);
    expect(anonymous.status).toBe(401);
  });

  it('answers 404 CONNECTOR_NOT_FOUND without the connector and 409 NOT_CONNECTED before connecting', async () => {
    const fresh = newSubaccountId();
    const missing = await stack.asUser(fresh, 'GET', `/api/connectors/${fresh}/google-calendar/calendars`);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'CONNECTOR_NOT_FOUND']);
    await stack.asUser(fresh, 'POST', `/api/connectors/${fresh}`, { connectorId: 'google-calendar' });
    for (const [method, path, body] of [
      ['GET', 'calendars'],
      ['POST', 'freebusy', { timeMin: '2027-01-04T00:00:00Z', timeMax: '2027-01-05T00:00:00Z' }],
      ['POST', 'events', event('x', '2027-01-04', '09:00', '10:00')],
    ] as [string, string, unknown?][]) {
      const res = await stack.asUser(fresh, method, `/api/connectors/${fresh}/google-calendar/${path}`, body);
      expect([res.status, res.body.error.code]).toEqual([409, 'NOT_CONNECTED']);
    }
  });

  it('lists the calendars', async () => {
    const res = await call('GET', 'calendars');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: email, primary: true })]));
  });

  it('free/busy reflects events created through the API, and slots avoid them across a DST change', async () => {
    // Europe/Berlin leaves daylight-saving time on 2027-10-31 (a Sunday).
    const created = await call('POST', 'events', {
      summary: 'Before the change',
      start: { dateTime: '2027-10-29T10:00:00+02:00' },
      end: { dateTime: '2027-10-29T11:00:00+02:00' },
    });
    expect(created.status).toBe(201);
    await call('POST', 'events', {
      summary: 'After the change',
      start: { dateTime: '2027-11-01T09:00:00+01:00' },
      end: { dateTime: '2027-11-01T10:00:00+01:00' },
    });
    const busy = await call('POST', 'freebusy', { timeMin: '2027-10-29T00:00:00Z', timeMax: '2027-11-02T00:00:00Z' });
    expect(busy.status).toBe(200);
    expect(busy.body.data.calendars).toEqual([
      {
        googleCalendarId: 'primary',
        busy: [
          { start: '2027-10-29T08:00:00.000Z', end: '2027-10-29T09:00:00.000Z' },
          { start: '2027-11-01T08:00:00.000Z', end: '2027-11-01T09:00:00.000Z' },
        ],
      },
    ]);
    const slots = await call('POST', 'availability', {
      timeMin: '2027-10-29T00:00:00Z',
      timeMax: '2027-11-02T00:00:00Z',
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      workingHours: [{ days: ['fri', 'mon'], start: '09:00', end: '12:00' }],
    });
    expect(slots.status).toBe(200);
    expect(slots.body.data).toEqual({
      timeZone: 'Europe/Berlin',
      slots: [
        { start: '2027-10-29T09:00:00+02:00', end: '2027-10-29T10:00:00+02:00' },
        { start: '2027-10-29T11:00:00+02:00', end: '2027-10-29T12:00:00+02:00' },
        { start: '2027-11-01T10:00:00+01:00', end: '2027-11-01T11:00:00+01:00' },
        { start: '2027-11-01T11:00:00+01:00', end: '2027-11-01T12:00:00+01:00' },
      ],
    });
  });

  describe('Idempotency-Key', () => {
    it('the same key twice, one after the other: the same event, one at Google', async () => {
      const body = event('Idempotent sequential', '2027-01-05', '09:00', '09:30');
      const first = await call('POST', 'events', body, { 'Idempotency-Key': 'sys-sequential' });
      const second = await call('POST', 'events', body, { 'Idempotency-Key': 'sys-sequential' });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.data.id).toBe(first.body.data.id);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(atGoogle('Idempotent sequential')).toHaveLength(1);
    });

    it('five at once with one key: one id, one event at Google', async () => {
      const body = event('Idempotent concurrent', '2027-01-05', '10:00', '10:30');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => call('POST', 'events', body, { 'Idempotency-Key': 'sys-concurrent' })),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
      expect(atGoogle('Idempotent concurrent')).toHaveLength(1);
    });

    it('the same key with another body is a 422', async () => {
      await call('POST', 'events', event('Reused', '2027-01-05', '11:00', '11:30'), {
        'Idempotency-Key': 'sys-reused',
      });
      const res = await call('POST', 'events', event('Reused', '2027-01-05', '11:00', '12:00'), {
        'Idempotency-Key': 'sys-reused',
      });
      expect([res.status, res.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    });

    it('a retry after the answer was lost between the apps still makes one event', async () => {
      const body = event('Lost answer', '2027-01-05', '13:00', '13:30');
      // Google takes 1 s to answer the insert; meanwhile the connection between the apps is cut.
      stack.google.failApiRequests(1, { kind: 'hang', ms: 1000 }, { method: 'POST', path: /\/events$/ });
      const first = call('POST', 'events', body, { 'Idempotency-Key': 'sys-lost' });
      await eventually(async () => (stack.google.pendingApiFailures() === 0 ? true : undefined));
      stack.webhookProxy?.cut();
      const lost = await first;
      expect([lost.status, lost.body.error.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
      await eventually(async () => (atGoogle('Lost answer').length === 1 ? true : undefined));
      await stack.webhookProxy?.restore();

      const retry = await call('POST', 'events', body, { 'Idempotency-Key': 'sys-lost' });
      expect(retry.status).toBe(201);
      expect(retry.body.data.id).toBe(atGoogle('Lost answer')[0].id);
      expect(atGoogle('Lost answer')).toHaveLength(1);
    });
  });

  it('requireFree, five at once for one slot: exactly one 201 and four 409 SLOT_TAKEN', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        call('POST', 'events', event(`Slot race ${i}`, '2027-01-06', '09:00', '09:30', { requireFree: true })),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.code).toBe('SLOT_TAKEN');
    const booked = stack.google.calendarEvents(email).filter((e) => String(e.summary).startsWith('Slot race'));
    expect(booked).toHaveLength(1);
  });

  it('reads, changes and cancels an event', async () => {
    const created = await call(
      'POST',
      'events',
      event('Lifecycle', '2027-01-07', '09:00', '10:00', { conference: { type: 'google_meet' } }),
    );
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    expect(created.body.data.meetLink).toMatch(/^https:\/\/meet\.google\.com\//);
    expect((await call('GET', `events/${id}`)).body.data).toEqual(created.body.data);
    const patched = await call('PATCH', `events/${id}`, { summary: 'Lifecycle (renamed)' });
    expect(patched.body.data).toMatchObject({ summary: 'Lifecycle (renamed)', start: created.body.data.start });
    const listed = await call('GET', 'events?timeMin=2027-01-07T00:00:00Z&timeMax=2027-01-08T00:00:00Z');
    expect(listed.body.data.items.map((e: JsonBody) => e.id)).toEqual([id]);
    expect((await call('DELETE', `events/${id}`)).body.data).toEqual({
      id,
      googleCalendarId: 'primary',
      status: 'cancelled',
    });
    expect((await call('DELETE', `events/${id}`)).status).toBe(200);
    const after = await call('GET', 'events?timeMin=2027-01-07T00:00:00Z&timeMax=2027-01-08T00:00:00Z');
    expect(after.body.data.items).toEqual([]);
  });

  describe('when Google fails', () => {
    const LIST = '/calendar/v3/users/me/calendarList';

    it('a 401 (access token dropped early) is healed by one refresh', async () => {
      stack.google.invalidateAccessTokens(email);
      const refreshes = stack.google.requests.filter((r) => r.path === '/token').length;
      expect((await call('GET', 'calendars')).status).toBe(200);
      expect(stack.google.requests.filter((r) => r.path === '/token').length - refreshes).toBe(1);
    });

    it('a rate limit is retried and answers 200; one that persists is a 429 with Retry-After', async () => {
      stack.google.failApiRequests(2, { kind: 'rateLimit', reason: 'userRateLimitExceeded' }, { path: LIST });
      expect((await call('GET', 'calendars')).status).toBe(200);
      stack.google.failApiRequests(1, { kind: 'tooManyRequests', retryAfterSeconds: 30 }, { path: LIST });
      const limited = await call('GET', 'calendars');
      expect([limited.status, limited.body.error.code]).toEqual([429, 'RATE_LIMITED']);
      expect(limited.headers.get('retry-after')).toBe('30');
    });

    it('a Google 5xx is a 502 GOOGLE_UNAVAILABLE', async () => {
      stack.google.failApiRequests(1, { kind: 'serverError', status: 503 }, { path: LIST });
      const res = await call('GET', 'calendars');
      expect([res.status, res.body.error.code]).toEqual([502, 'GOOGLE_UNAVAILABLE']);
    });

    it('Google hanging is a 504 GOOGLE_TIMEOUT within the timeout', async () => {
      stack.google.failApiRequests(1, { kind: 'hang', ms: 10_000 }, { path: LIST });
      const started = Date.now();
      const res = await call('GET', 'calendars');
      expect([res.status, res.body.error.code]).toEqual([504, 'GOOGLE_TIMEOUT']);
      expect(Date.now() - started).toBeLessThan(1500 + 1000);
    });

    it('a revoked grant is a 409 REAUTH_REQUIRED and the connection turns reauth_required', async () => {
      stack.google.revokeGrant(email);
      const res = await call('GET', 'calendars');
      expect([res.status, res.body.error.code]).toEqual([409, 'REAUTH_REQUIRED']);
      const metadata = await eventually(async () => {
        const current = await stack.metadata(subaccountId);
        return current['status'] === 'reauth_required' ? current : undefined;
      });
      expect(metadata).toMatchObject({ isConnected: false, status: 'reauth_required' });
    });
  });
});

/**
 * database-api tells webhook-api how long it waits (X-Request-Timeout-Ms), so the SPA hears
 * webhook-api's own answer even when webhook-api's own bounds are longer: here its Google
 * timeout (10 s) is far beyond database-api's wait (3 s).
 */
describe('calendar work within database-api’s wait (system e2e)', () => {
  const WEBHOOK_API_TIMEOUT_MS = 3000;
  let stack: Stack;
  let subaccountId: string;
  let email: string;

  beforeAll(async () => {
    stack = await Stack.start({
      webhookEnv: { OUTBOUND_TIMEOUT_MS: '10000' },
      databaseEnv: { WEBHOOK_API_TIMEOUT_MS: String(WEBHOOK_API_TIMEOUT_MS) },
    });
    subaccountId = newSubaccountId();
    email = `deadline-${subaccountId.slice(0, 8)}@example.com`;
    await stack.connect(subaccountId, email);
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.google.clearApiFailures());

  const route = (path: string) => `/api/connectors/${subaccountId}/google-calendar/${path}`;
  const call = (method: string, path: string, body?: unknown) => stack.asUser(subaccountId, method, route(path), body);

  it('Google hanging: webhook-api’s own 504 GOOGLE_TIMEOUT (not UPSTREAM_TIMEOUT) within WEBHOOK_API_TIMEOUT_MS', async () => {
    stack.google.failApiRequests(1, { kind: 'hang', ms: 8000 }, { path: '/calendar/v3/users/me/calendarList' });
    const started = Date.now();
    const res = await call('GET', 'calendars');
    expect([res.status, res.body.error?.code]).toEqual([504, 'GOOGLE_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(WEBHOOK_API_TIMEOUT_MS);
  });

  it('a requireFree booking whose check hangs: 504 GOOGLE_TIMEOUT in time, and no Google call (no booking) after it', async () => {
    // Google answers the free/busy check after 5 s: without the deadline the booking would follow then.
    stack.google.failApiRequests(1, { kind: 'hang', ms: 5000 }, { path: '/calendar/v3/freeBusy' });
    const started = Date.now();
    const res = await call('POST', 'events', {
      summary: 'Booked after the answer?',
      start: { dateTime: '2027-03-01T09:00:00Z' },
      end: { dateTime: '2027-03-01T10:00:00Z' },
      requireFree: true,
    });
    const answeredAt = Date.now();
    expect([res.status, res.body.error?.code]).toEqual([504, 'GOOGLE_TIMEOUT']);
    expect(answeredAt - started).toBeLessThan(WEBHOOK_API_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    // Background syncs may list events meanwhile; nothing of this request reaches Google.
    const after = stack.google.requests.filter((r) => r.at.getTime() > answeredAt && r.method !== 'GET');
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Booked after the answer?')).toEqual([]);
  });
});
