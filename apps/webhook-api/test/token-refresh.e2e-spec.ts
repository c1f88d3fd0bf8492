import { newSubaccountId } from '@connector-service/testing';
import { WebhookApiWithGoogle, eventually, newEmail, sleep } from './support/webhook-api-with-google';

/** Below webhook-api's 5-minute refresh margin: every token the sandbox issues is "about to expire". */
const ACCESS_TOKEN_TTL_SECONDS = 120;
const RECONNECT_SUBJECT = 'Reconnect your Google Calendar';

/**
 * Token refresh through webhook-api's calendars route, in-process against the Google
 * sandbox (short-lived access tokens), FerretDB, SMTP and a stand-in for database-api.
 */
describe('webhook-api token refresh and access loss with the Google sandbox (e2e)', () => {
  let stack: WebhookApiWithGoogle;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({ sandbox: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const calendarsOf = (calendarId: string) =>
    stack.asService('get', `/api/google-calendar/connections/${calendarId}/calendars`);
  const refreshRequests = () => stack.google.tokenRequests('refresh_token');
  /** No lease naming the connection is held once the work is done (a leaked one would stay for 25 s). */
  const noLeaseLeft = (calendarId: string) =>
    eventually(async () => ((await stack.leasesOf(calendarId)).length === 0 ? true : undefined), 2000);
  const reconnectMails = (to: string) =>
    stack.smtp.messages.filter((m) => m.to.includes(to) && m.subject === RECONNECT_SUBJECT);

  it('refreshes a token inside the margin once at the token endpoint, stores it sealed, and answers the calendars', async () => {
    const subaccountId = newSubaccountId();
    const googleEmail = newEmail('fresh');
    const { calendarId } = await stack.connect(subaccountId, googleEmail);
    await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
    const before = await stack.connectionOf(subaccountId);
    expect(new Date(before?.['accessTokenExpiresAt']).getTime()).toBeLessThan(Date.now() + 5 * 60_000);
    const refreshesBefore = refreshRequests().length;

    const res = await calendarsOf(calendarId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: expect.arrayContaining([
        expect.objectContaining({ id: googleEmail, summary: expect.any(String), primary: true }),
      ]),
    });

    const refreshes = refreshRequests().slice(refreshesBefore);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({
      status: 200,
      form: { grant_type: 'refresh_token', client_id: stack.google.clientId },
    });
    // The calendar list was read after the refresh, with the refreshed token.
    const listCall = stack.google.requests
      .filter((r) => r.path.startsWith('/calendar/v3/users/me/calendarList'))
      .at(-1);
    expect(listCall?.status).toBe(200);
    expect(listCall?.at.getTime()).toBeGreaterThanOrEqual((refreshes[0]?.at as Date).getTime());

    const after = await stack.connectionOf(subaccountId);
    expect(after?.['accessToken']).toEqual(expect.any(String));
    expect(after?.['accessToken']).not.toBe(before?.['accessToken']);
    expect(after?.['refreshToken']).toBe(before?.['refreshToken']); // Google sent none: kept
    expect(new Date(after?.['accessTokenExpiresAt']).getTime()).toBeGreaterThan(
      new Date(before?.['accessTokenExpiresAt']).getTime(),
    );
    const dump = await stack.dumpDatabase();
    for (const token of stack.google.issuedTokens()) expect(dump).not.toContain(token);
    await noLeaseLeft(calendarId);
  });

  it('two concurrent calls refresh only once, under a lease, and both answer the calendars', async () => {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, newEmail('busy'));
    // Let the connect's metadata delivery (itself under a lease) finish first.
    await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
    await noLeaseLeft(calendarId);
    const refreshesBefore = refreshRequests().length;
    stack.google.setTokenDelay(500);
    try {
      const calls = Promise.all([calendarsOf(calendarId), calendarsOf(calendarId)]);
      // While Google holds the refresh, its lease is in the database.
      const held = await eventually(async () => {
        const leases = await stack.leasesOf(calendarId);
        return leases.length > 0 ? leases : undefined;
      }, 2000);
      expect(held).toHaveLength(1);
      const answers = await calls;
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers[0]?.body).toEqual(answers[1]?.body);
    } finally {
      stack.google.setTokenDelay(0);
    }
    expect(refreshRequests()).toHaveLength(refreshesBefore + 1);
    await noLeaseLeft(calendarId);
  });

  it('invalid_grant on refresh: 409 REAUTH_REQUIRED, reauth_required metadata, exactly one reconnect e-mail; its link reconnects', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = newEmail('revoked');
    const { calendarId } = await stack.connect(subaccountId, userEmail);
    const connected = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
    stack.google.revokeGrant(userEmail);
    const refreshesBefore = refreshRequests().length;

    const res = await calendarsOf(calendarId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, error: { code: 'REAUTH_REQUIRED' } });
    const refreshes = refreshRequests().slice(refreshesBefore);
    expect(refreshes.map((r) => r.status)).toEqual([400]);

    const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
    expect(status.body.data).toMatchObject({ calendarId, status: 'reauth_required', lastError: expect.any(String) });

    const lost = await stack.receiver.waitForDelivery(subaccountId, { status: 'reauth_required' });
    expect(lost.body.metadata).toEqual({
      calendarId,
      userEmail,
      googleEmail: userEmail,
      connectedAt: connected.body.metadata['connectedAt'],
      isConnected: false,
      status: 'reauth_required',
      lastError: expect.any(String),
      disconnectedAt: null,
    });
    expect(lost.body.version as number).toBeGreaterThan(connected.body.version as number);

    const mail = await stack.smtp.waitForMessage((m) => m.to.includes(userEmail) && m.subject === RECONNECT_SUBJECT);
    // Asking again: still 409, no new refresh at Google, no second e-mail.
    const again = await calendarsOf(calendarId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REAUTH_REQUIRED');
    await sleep(500);
    expect(refreshRequests().slice(refreshesBefore)).toHaveLength(1);
    expect(reconnectMails(userEmail)).toHaveLength(1);

    // The e-mailed link is a normal consent link: using it brings the same calendarId back.
    const link = /https?:\/\/\S+/.exec(mail.text)?.[0] as string;
    expect(link.startsWith(stack.google.endpoints.authUrl)).toBe(true);
    const reconnectingAt = new Date();
    const page = await stack.callback(await stack.consent(link));
    expect(page.status).toBe(200);
    expect(String((await stack.connectionOf(subaccountId))?.['_id'])).toBe(calendarId);
    const restored = await stack.receiver.waitForDelivery(
      subaccountId,
      { status: 'connected' },
      { after: reconnectingAt },
    );
    expect(restored.body.metadata).toMatchObject({
      calendarId,
      isConnected: true,
      lastError: null,
      disconnectedAt: null,
    });
    expect(restored.body.version as number).toBeGreaterThan(lost.body.version as number);
    await calendarsOf(calendarId).expect(200);
  });

  it('a transient failure at the token endpoint is a 502 and leaves the connection connected', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = newEmail('flaky');
    const { calendarId } = await stack.connect(subaccountId, userEmail);
    await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
    // google-auth-library retries a 5xx three times: four failures reach webhook-api.
    const refreshesBefore = refreshRequests().length;
    stack.google.failTokenRequests(4, { status: 503, body: { error: 'backend_error' } });

    const res = await calendarsOf(calendarId);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, error: { code: 'GOOGLE_UNAVAILABLE' } });
    expect(
      refreshRequests()
        .slice(refreshesBefore)
        .every((r) => r.status === 503),
    ).toBe(true);
    const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
    expect(status.body.data).toMatchObject({ status: 'connected', lastError: null });
    await sleep(300);
    expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(1);
    expect(reconnectMails(userEmail)).toEqual([]);

    // Once Google answers again (whatever failures the first call left queued are used up), it works.
    const answers: number[] = [];
    for (let attempt = 0; attempt < 5 && answers.at(-1) !== 200; attempt += 1) {
      answers.push((await calendarsOf(calendarId)).status);
    }
    expect(answers.at(-1)).toBe(200);
    expect(answers.slice(0, -1).every((s) => s === 502)).toBe(true);
    expect((await stack.connectionOf(subaccountId))?.['status']).toBe('connected');
  });
});
