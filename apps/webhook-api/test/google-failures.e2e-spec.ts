import { newSubaccountId } from '@connector-service/testing';
import { AccessLossService } from '../src/token-refresh/access-loss.service';
import { WebhookApiWithGoogle, eventually, newEmail } from './support/webhook-api-with-google';

/**
 * What the platform gets when Google fails, through the one Google client, against the
 * Google sandbox's failure knobs (Google's own wire format) with a real database and SMTP.
 * The calendars route stands for every calendar route: they share the client.
 */
describe('webhook-api when Google fails (e2e: sandbox Google, real database and SMTP)', () => {
  let stack: WebhookApiWithGoogle;
  let smtpRefusing = false;
  let smtpRefusals = 0;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({
      env: { OUTBOUND_TIMEOUT_MS: '1500', REFRESH_SWEEP_INTERVAL_MS: '300' },
      smtp: {
        onMessage: () => {
          if (!smtpRefusing) return;
          smtpRefusals += 1;
          throw new Error('mailbox unavailable');
        },
      },
    });
  });
  afterAll(() => stack.stop());
  afterEach(() => {
    stack.google.clearApiFailures();
    smtpRefusing = false;
  });

  const CALENDAR_LIST = '/calendar/v3/users/me/calendarList';
  const calendars = (calendarId: string) =>
    stack.asService('get', `/api/google-calendar/connections/${calendarId}/calendars`);
  const calendarListCalls = () => stack.google.requests.filter((r) => r.path === CALENDAR_LIST).length;
  const reconnectMails = (email: string) =>
    stack.smtp.messages.filter((m) => m.to.includes(email) && m.subject.startsWith('Reconnect'));
  const tokenCalls = () => stack.google.requests.filter((r) => r.path === '/token').length;

  async function connected(label: string): Promise<{ calendarId: string; email: string; subaccountId: string }> {
    const email = newEmail(label);
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, email);
    return { calendarId, email, subaccountId };
  }

  it('a grant revoked at Google: 409 REAUTH_REQUIRED, reauth_required, metadata follows, one reconnect e-mail, no more Google calls', async () => {
    const { calendarId, email, subaccountId } = await connected('revoked');
    await calendars(calendarId).expect(200);
    stack.google.revokeGrant(email);

    const res = await calendars(calendarId).expect(409);
    expect(res.body).toMatchObject({ success: false, error: { code: 'REAUTH_REQUIRED' } });
    const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
    expect(status.body.data).toMatchObject({ status: 'reauth_required', lastError: 'invalid_grant' });
    const update = await eventually(() =>
      stack.receiver.requests.find(
        (r) => r.subaccountId === subaccountId && r.body.metadata['status'] === 'reauth_required',
      ),
    );
    expect(update.body.metadata).toMatchObject({ calendarId, isConnected: false, status: 'reauth_required' });
    const mail = await stack.smtp.waitForMessage(
      (m) => m.to.includes(email) && m.subject === 'Reconnect your Google Calendar',
    );
    expect(mail.text).toContain(stack.google.endpoints.authUrl);

    const googleCallsBefore = stack.google.requests.length;
    const again = await calendars(calendarId).expect(409);
    expect(again.body.error.code).toBe('REAUTH_REQUIRED');
    expect(stack.google.requests.length).toBe(googleCallsBefore);
    await new Promise((resolve) => setTimeout(resolve, 700)); // two sweeps
    expect(stack.smtp.messages.filter((m) => m.to.includes(email) && m.subject.startsWith('Reconnect'))).toHaveLength(
      1,
    );
  });

  it('an access token Google dropped early is healed by one refresh', async () => {
    const { calendarId, email } = await connected('dropped');
    stack.google.invalidateAccessTokens(email);
    const tokensBefore = tokenCalls();
    const listsBefore = calendarListCalls();

    const res = await calendars(calendarId).expect(200);
    expect(res.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: email, primary: true })]));
    expect(tokenCalls() - tokensBefore).toBe(1);
    expect(calendarListCalls() - listsBefore).toBe(2);
    const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
    expect(status.body.data.status).toBe('connected');
  });

  it('a passing rate limit (403 userRateLimitExceeded, then 429) is retried and answers 200', async () => {
    const { calendarId } = await connected('ratelimit');
    stack.google.failApiRequests(1, { kind: 'rateLimit', reason: 'userRateLimitExceeded' }, { path: CALENDAR_LIST });
    stack.google.failApiRequests(1, { kind: 'tooManyRequests', retryAfterSeconds: 1 }, { path: CALENDAR_LIST });
    const before = calendarListCalls();
    await calendars(calendarId).expect(200);
    expect(calendarListCalls() - before).toBe(3);
  });

  it("a rate limit that outlasts our retries is a 429 with Google's Retry-After", async () => {
    const { calendarId } = await connected('ratelimit-long');
    stack.google.failApiRequests(1, { kind: 'tooManyRequests', retryAfterSeconds: 60 }, { path: CALENDAR_LIST });
    const res = await calendars(calendarId).expect(429);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
  });

  it('a lasting 403 rateLimitExceeded is retried for at most 10 s, then 429 with Retry-After', async () => {
    const { calendarId } = await connected('ratelimit-lasting');
    stack.google.failApiRequests(100, { kind: 'rateLimit', reason: 'rateLimitExceeded' }, { path: CALENDAR_LIST });
    const before = calendarListCalls();
    const started = Date.now();
    const res = await calendars(calendarId).expect(429);
    const took = Date.now() - started;
    expect(took).toBeLessThan(11_000);
    expect(calendarListCalls() - before).toBeGreaterThanOrEqual(4);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it.each([500, 502, 503] as const)(
    'Google answering %i is a 502 GOOGLE_UNAVAILABLE, the connection untouched',
    async (status) => {
      const { calendarId } = await connected(`fail-${status}`);
      stack.google.failApiRequests(1, { kind: 'serverError', status }, { path: CALENDAR_LIST });
      const res = await calendars(calendarId).expect(502);
      expect(res.body).toMatchObject({ success: false, error: { code: 'GOOGLE_UNAVAILABLE' } });
      const connection = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
      expect(connection.body.data.status).toBe('connected');
    },
  );

  it('Google hanging past OUTBOUND_TIMEOUT_MS is a 504 GOOGLE_TIMEOUT within the timeout', async () => {
    const { calendarId } = await connected('hang');
    stack.google.failApiRequests(1, { kind: 'hang', ms: 10_000 }, { path: CALENDAR_LIST });
    const started = Date.now();
    const res = await calendars(calendarId).expect(504);
    expect(Date.now() - started).toBeLessThan(1500 + 1000);
    expect(res.body).toMatchObject({ success: false, error: { code: 'GOOGLE_TIMEOUT' } });
  });

  it('a reconnect e-mail SMTP refused is not recorded as sent and is sent by a later sweep, once', async () => {
    const { calendarId, email } = await connected('smtp-down');
    const refusals = smtpRefusals;
    smtpRefusing = true;
    stack.google.revokeGrant(email);
    await calendars(calendarId).expect(409);
    const owed = await stack.connections().findOne({ googleEmail: email });
    expect(owed?.['reauthEmailSentAt'] ?? null).toBeNull();
    expect(owed?.['reauthEmailDueAt']).toBeInstanceOf(Date);

    await eventually(async () => smtpRefusals > refusals || undefined);
    smtpRefusing = false;
    const mail = await stack.smtp.waitForMessage(
      (m) => m.to.includes(email) && m.subject === 'Reconnect your Google Calendar',
      5000,
    );
    expect(mail.text).toContain('expires in 15 minutes');
    const sent = await eventually(async () => {
      const doc = await stack.connections().findOne({ googleEmail: email });
      return doc?.['reauthEmailSentAt'] ? doc : undefined;
    });
    expect(sent['reauthEmailDueAt']).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 700)); // two more sweeps send nothing
    expect(reconnectMails(email)).toHaveLength(1);
  });

  it('a reconnect e-mail SMTP accepts slowly (each step within OUTBOUND_TIMEOUT_MS, all of it past) is sent once', async () => {
    const { calendarId, email } = await connected('smtp-slow');
    stack.smtp.slowNext(700);
    stack.google.revokeGrant(email);
    await calendars(calendarId).expect(409);
    await stack.smtp.waitForMessage((m) => m.to.includes(email) && m.subject.startsWith('Reconnect'), 5000);
    const sent = await eventually(async () => {
      const doc = await stack.connections().findOne({ googleEmail: email });
      return doc?.['reauthEmailSentAt'] ? doc : undefined;
    });
    expect(sent['reauthEmailDueAt']).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several more sweeps
    expect(reconnectMails(email)).toHaveLength(1);
  });

  it('a reconnect e-mail owed while three replicas look for it at once is sent once', async () => {
    const replicas = [await stack.startReplica(), await stack.startReplica()];
    try {
      const { calendarId, email } = await connected('three-replicas');
      const refusals = smtpRefusals;
      smtpRefusing = true;
      stack.google.revokeGrant(email);
      await calendars(calendarId).expect(409);
      // The first try was refused: the e-mail stays owed, after a short backoff.
      await eventually(async () => smtpRefusals > refusals || undefined);
      smtpRefusing = false;
      // The replicas' sweeps look for it over and over, beside the first app's own sweep, until it is sent.
      const lookers = replicas.map((replica) => replica.app.get(AccessLossService));
      const until = Date.now() + 5000;
      while (reconnectMails(email).length === 0 && Date.now() < until) {
        await Promise.all([...lookers, ...lookers].map((looker) => looker.sendOwedEmail(calendarId)));
      }
      await new Promise((resolve) => setTimeout(resolve, 1500)); // several more sweeps
      expect(reconnectMails(email)).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it('a reconnect e-mail SMTP keeps refusing is tried again at growing intervals, not every sweep', async () => {
    const { calendarId, email } = await connected('smtp-refusing');
    const refusals = smtpRefusals;
    smtpRefusing = true;
    stack.google.revokeGrant(email);
    await calendars(calendarId).expect(409);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // Every sweep (300 ms) would be ~10 tries; backing off from 300 ms (at most 300, 600, 1200 ms ...) at most 5.
    expect(smtpRefusals - refusals).toBeGreaterThanOrEqual(2);
    expect(smtpRefusals - refusals).toBeLessThanOrEqual(5);
    const owed = await stack.connections().findOne({ googleEmail: email });
    expect(owed?.['reauthEmailSentAt'] ?? null).toBeNull();
    expect(reconnectMails(email)).toHaveLength(0);
  });
});
