import { newSubaccountId } from '@connector-service/testing';
import { SandboxRequestLog } from '@connector-service/google-sandbox';
import { WebhookApiWithGoogle, eventually, newEmail, sleep } from './support/webhook-api-with-google';

/**
 * `X-Request-Timeout-Ms` (how long database-api still waits): webhook-api answers within it,
 * 504 GOOGLE_TIMEOUT at worst, and starts no Google call for the request after its answer.
 * OUTBOUND_TIMEOUT_MS is long here (10 s), so only the request's deadline can bound a wait.
 */
describe('webhook-api within the caller’s X-Request-Timeout-Ms (e2e: sandbox Google, real database and SMTP)', () => {
  let stack: WebhookApiWithGoogle;
  let smtpDelayMs = 0;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({
      env: { OUTBOUND_TIMEOUT_MS: '10000' },
      smtp: { onMessage: () => sleep(smtpDelayMs) },
    });
  });
  afterAll(() => stack.stop());
  afterEach(() => {
    stack.google.clearApiFailures();
    smtpDelayMs = 0;
  });

  const CALENDAR_LIST = '/calendar/v3/users/me/calendarList';
  const FREE_BUSY = '/calendar/v3/freeBusy';
  const within = (ms: number) => ({ 'X-Request-Timeout-Ms': String(ms) });
  const connection = (calendarId: string) => `/api/google-calendar/connections/${calendarId}`;
  /** Calls that reached the sandbox after `answeredAt` (apart from those `except` lets pass). */
  const googleCallsAfter = (answeredAt: number, except: (r: SandboxRequestLog) => boolean = () => false) =>
    stack.google.requests.filter((r) => r.at.getTime() > answeredAt && !except(r));

  async function connected(label: string): Promise<{ calendarId: string; email: string }> {
    const email = newEmail(label);
    const { calendarId } = await stack.connect(newSubaccountId(), email);
    return { calendarId, email };
  }

  it('Google hanging: 504 GOOGLE_TIMEOUT by the deadline, the hanging call cut, no Google call after the answer', async () => {
    const { calendarId } = await connected('hang');
    stack.google.failApiRequests(1, { kind: 'hang', ms: 8000 }, { path: CALENDAR_LIST });
    const started = Date.now();
    const res = await stack.asService('get', `${connection(calendarId)}/calendars`, { headers: within(1500) });
    const answeredAt = Date.now();
    expect([res.status, res.body.error?.code]).toEqual([504, 'GOOGLE_TIMEOUT']);
    expect(answeredAt - started).toBeLessThan(1500);
    expect(answeredAt - started).toBeGreaterThanOrEqual(1200);
    // The call to Google was given up at the deadline, not left waiting for its 10 s timeout.
    const hung = stack.google.requests.filter((r) => r.path === CALENDAR_LIST).at(-1);
    await eventually(() => (hung?.aborted ? true : undefined), 1000);
    await sleep(2000);
    expect(googleCallsAfter(answeredAt)).toEqual([]);
  });

  it('a requireFree create whose free/busy check hangs: 504 by the deadline, and the event is never created', async () => {
    const { calendarId, email } = await connected('hang-create');
    // Google answers the check after 3 s: without a deadline the insert would follow then.
    stack.google.failApiRequests(1, { kind: 'hang', ms: 3000 }, { path: FREE_BUSY });
    const started = Date.now();
    const res = await stack.asService('post', `${connection(calendarId)}/events`, {
      headers: within(1500),
      body: {
        summary: 'Late booking',
        start: { dateTime: '2027-02-01T09:00:00Z' },
        end: { dateTime: '2027-02-01T10:00:00Z' },
        requireFree: true,
      },
    });
    const answeredAt = Date.now();
    expect([res.status, res.body.error?.code]).toEqual([504, 'GOOGLE_TIMEOUT']);
    expect(answeredAt - started).toBeLessThan(1500);
    await sleep(3500);
    expect(googleCallsAfter(answeredAt)).toEqual([]);
    expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Late booking')).toEqual([]);
  });

  it('a rate limit that lasts: 429 RATE_LIMITED with Retry-After by the deadline, no retry after the answer', async () => {
    const { calendarId } = await connected('rate-limited');
    stack.google.failApiRequests(100, { kind: 'tooManyRequests', retryAfterSeconds: 1 }, { path: CALENDAR_LIST });
    const started = Date.now();
    const res = await stack.asService('get', `${connection(calendarId)}/calendars`, { headers: within(2500) });
    const answeredAt = Date.now();
    expect([res.status, res.body.error?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(res.headers['retry-after']).toBe('1');
    expect(answeredAt - started).toBeLessThan(2500);
    // Retried while a pause still fitted (calls at 0, 1 and 2 s).
    expect(stack.google.requests.filter((r) => r.path === CALENDAR_LIST && r.at.getTime() >= started)).toHaveLength(3);
    await sleep(1500);
    expect(googleCallsAfter(answeredAt)).toEqual([]);
  });

  it('the same Idempotency-Key while the first request works: 409 IDEMPOTENCY_KEY_IN_PROGRESS by the deadline', async () => {
    const { calendarId, email } = await connected('idempotency');
    stack.google.failApiRequests(1, { kind: 'hang', ms: 3000 }, { method: 'POST', path: /\/events$/ });
    const body = {
      summary: 'Keyed',
      start: { dateTime: '2027-02-02T09:00:00Z' },
      end: { dateTime: '2027-02-02T10:00:00Z' },
    };
    const headers = { 'Idempotency-Key': 'deadline-key' };
    const first = stack.asService('post', `${connection(calendarId)}/events`, { body, headers }).then((r) => r);
    await eventually(() => (stack.google.pendingApiFailures() === 0 ? true : undefined));

    const started = Date.now();
    const second = await stack.asService('post', `${connection(calendarId)}/events`, {
      body,
      headers: { ...headers, ...within(1000) },
    });
    expect([second.status, second.body.error?.code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_PROGRESS']);
    expect(Date.now() - started).toBeLessThan(1000);

    expect((await first).status).toBe(201);
    expect(stack.google.calendarEvents(email).filter((e) => e.summary === 'Keyed')).toHaveLength(1);
  });

  it('a request without the header keeps today’s bounds (OUTBOUND_TIMEOUT_MS), and a malformed one is ignored', async () => {
    const { calendarId } = await connected('no-header');
    stack.google.failApiRequests(2, { kind: 'hang', ms: 1500 }, { path: CALENDAR_LIST });
    await stack.asService('get', `${connection(calendarId)}/calendars`).expect(200);
    await stack
      .asService('get', `${connection(calendarId)}/calendars`, { headers: { 'X-Request-Timeout-Ms': '1s' } })
      .expect(200);
  });

  it('a reconnect e-mail SMTP is slow to take does not hold up the answer; it is sent and recorded after', async () => {
    const { calendarId, email } = await connected('slow-smtp');
    smtpDelayMs = 3000;
    stack.google.revokeGrant(email);
    const started = Date.now();
    const res = await stack.asService('get', `${connection(calendarId)}/calendars`, { headers: within(10_000) });
    expect([res.status, res.body.error?.code]).toEqual([409, 'REAUTH_REQUIRED']);
    expect(Date.now() - started).toBeLessThan(2000);

    const mail = await stack.smtp.waitForMessage(
      (m) => m.to.includes(email) && m.subject === 'Reconnect your Google Calendar',
      10_000,
    );
    expect(mail.text).toContain(stack.google.endpoints.authUrl);
    await eventually(async () => {
      const doc = await stack.connections().findOne({ googleEmail: email });
      return doc?.['reauthEmailSentAt'] ? doc : undefined;
    });
  });
});
