import { newSubaccountId } from '@connector-service/testing';
import { ObjectId } from 'mongodb';
import { E2E_WEBHOOK_TOKEN } from './support/webhook-api-app';
import { WebhookApiWithGoogle, eventually, newEmail, sleep } from './support/webhook-api-with-google';

const ROTATED_WEBHOOK_TOKEN = 'e2e-webhook-service-token-previous';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * webhook-api in-process against the Google sandbox, FerretDB, SMTP and a stand-in for
 * database-api's metadata route: the callback, the durable metadata update, disconnect,
 * callback failures, service-token auth, and a Google 401 on the calendars route.
 * Only HTTP routes, the fakes and direct reads of MongoDB; no class of the app is imported.
 */
describe('webhook-api with the Google sandbox: callback, outbox, disconnect (e2e)', () => {
  let stack: WebhookApiWithGoogle;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({
      env: { WEBHOOK_SERVER_SERVICE_TOKEN: `${E2E_WEBHOOK_TOKEN},${ROTATED_WEBHOOK_TOKEN}` },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const calendarsOf = (calendarId: string, token?: string | null) =>
    stack.asService('get', `/api/google-calendar/connections/${calendarId}/calendars`, { token });

  describe('a good callback', () => {
    const subaccountId = newSubaccountId();
    const userEmail = newEmail('user');
    const googleEmail = newEmail('googleuser');
    let calendarId: string;
    let callbackPath: string;
    let startedAt: number;

    beforeAll(async () => {
      startedAt = Date.now();
      const made = await stack.connect(subaccountId, userEmail, googleEmail);
      calendarId = made.calendarId;
      callbackPath = made.callbackPath;
      const page = made.page;
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('data-result="success"');
      expect(page.text).toContain(googleEmail);
    });

    it('stores the connection before answering, with the tokens sealed: no plaintext token in any collection', async () => {
      const doc = await stack.connectionOf(subaccountId);
      expect(doc).toMatchObject({ subaccountId, userEmail, googleEmail, status: 'connected' });
      expect(doc?.['accessToken']).toEqual(expect.any(String));
      expect(doc?.['refreshToken']).toEqual(expect.any(String));

      const issued = stack.google.issuedTokens();
      expect(issued.length).toBeGreaterThanOrEqual(2); // an access and a refresh token for this grant
      const dump = await stack.dumpDatabase();
      for (const token of issued) expect(dump).not.toContain(token);
      // The single-use authorization code is not kept either.
      const code = new URL(callbackPath, 'http://x').searchParams.get('code') as string;
      expect(code).toBeTruthy();
      expect(dump).not.toContain(code);
      // The state is consumed: none is left for this subaccount.
      expect(await stack.mongo.db().collection('oauthstates').countDocuments({ subaccountId })).toBe(0);
    });

    it('exchanged the code once at the token endpoint, with PKCE', () => {
      const exchanges = stack.google
        .tokenRequests('authorization_code')
        .filter((r) => r.form?.['code'] === new URL(callbackPath, 'http://x').searchParams.get('code'));
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]?.form?.['code_verifier']).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(exchanges[0]?.status).toBe(200);
    });

    it("delivers the metadata update with the contract's body and the connection's version, with the service token", async () => {
      const delivery = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
      expect(delivery.authorized).toBe(true);
      expect(delivery.body).toEqual({
        connectorId: 'google-calendar',
        metadata: {
          calendarId,
          userEmail,
          googleEmail,
          connectedAt: expect.stringMatching(ISO_DATE),
          isConnected: true,
          status: 'connected',
          lastError: null,
          disconnectedAt: null,
        },
        version: expect.any(Number),
        versionScope: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(Number.isInteger(delivery.body.version) && (delivery.body.version as number) > 0).toBe(true);
      const connectedAt = Date.parse(delivery.body.metadata['connectedAt'] as string);
      expect(connectedAt).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(connectedAt).toBeLessThanOrEqual(Date.now());
      expect(calendarId).toMatch(/^[0-9a-f]{24}$/);
      // Delivered once, and no lease is left behind.
      await sleep(300);
      expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(1);
      expect(await stack.leasesOf(calendarId)).toEqual([]);
    });

    it('answers the connection status without any token', async () => {
      const res = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
      expect(res.body).toEqual({
        success: true,
        data: expect.objectContaining({
          calendarId,
          subaccountId,
          userEmail,
          googleEmail,
          status: 'connected',
          scopes: expect.arrayContaining([expect.stringContaining('calendar')]),
          connectedAt: expect.stringMatching(ISO_DATE),
        }),
      });
      for (const token of stack.google.issuedTokens()) expect(res.text).not.toContain(token);
    });

    it('a replayed state gets the failure page 400 invalid_state and changes nothing', async () => {
      const before = await stack.connectionOf(subaccountId);
      const exchangesBefore = stack.google.tokenRequests('authorization_code').length;
      const res = await stack.callback(callbackPath);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('data-result="failure"');
      expect(res.text).toMatch(/id="reason">invalid_state</);
      expect(stack.google.tokenRequests('authorization_code')).toHaveLength(exchangesBefore);
      expect(await stack.connectionOf(subaccountId)).toEqual(before);
      await sleep(300);
      expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(1);
    });
  });

  it('access_denied at Google: failure page 400 access_denied, no connection, no metadata update', async () => {
    const subaccountId = newSubaccountId();
    const authUrl = await stack.startConnect(subaccountId, newEmail('denier'));
    stack.google.setNextConsent({ deny: true });
    const callbackPath = await stack.consent(authUrl);
    expect(new URL(callbackPath, 'http://x').searchParams.get('error')).toBe('access_denied');
    const exchangesBefore = stack.google.tokenRequests('authorization_code').length;

    const res = await stack.callback(callbackPath);
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-result="failure"');
    expect(res.text).toMatch(/id="reason">access_denied</);
    expect(stack.google.tokenRequests('authorization_code')).toHaveLength(exchangesBefore);
    expect(await stack.connectionOf(subaccountId)).toBeNull();
    await sleep(300);
    expect(stack.receiver.requestsFor(subaccountId)).toEqual([]);
  });

  describe('the durable metadata update (outbox)', () => {
    it('retries while database-api answers 503 until the update lands', async () => {
      const subaccountId = newSubaccountId();
      stack.receiver.answer(subaccountId, 503, 2);
      const { calendarId } = await stack.connect(subaccountId, newEmail('retry'));

      const landed = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' }, { timeoutMs: 8000 });
      const attempts = stack.receiver.requestsFor(subaccountId);
      expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
      // The same update every time, and every attempt with the service token.
      expect(new Set(attempts.map((a) => JSON.stringify(a.body))).size).toBe(1);
      expect(attempts.every((a) => a.authorized)).toBe(true);
      expect(landed.body.metadata).toMatchObject({ calendarId, isConnected: true, status: 'connected' });
      // Backoff, not a tight loop: the retries are spread out.
      expect(
        (attempts[2] as { at: Date }).at.getTime() - (attempts[0] as { at: Date }).at.getTime(),
      ).toBeGreaterThanOrEqual(500);

      await sleep(500);
      expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(3);
      expect(await stack.leasesOf(calendarId)).toEqual([]);
    });

    it('stops retrying when database-api answers 404 CONNECTOR_NOT_FOUND', async () => {
      const subaccountId = newSubaccountId();
      stack.receiver.answer(subaccountId, 404);
      // A control, down once: its retry shows how soon the 404'd update would have been retried.
      const controlId = newSubaccountId();
      stack.receiver.answer(controlId, 503, 1);
      await stack.connect(subaccountId, newEmail('gone'));
      await stack.connect(controlId, newEmail('control'));

      await stack.receiver.waitFor((r) => r.subaccountId === subaccountId && r.status === 404);
      await stack.receiver.waitForDelivery(controlId, { status: 'connected' }, { timeoutMs: 8000 });
      expect(stack.receiver.requestsFor(controlId).map((r) => r.status)).toEqual([503, 200]);
      // Longer again than the control's first retry could have waited (jitter), plus several polls.
      await sleep(1200);
      expect(stack.receiver.requestsFor(subaccountId).map((r) => r.status)).toEqual([404]);
    });

    it('loses nothing across a restart of webhook-api while database-api is down', async () => {
      const subaccountId = newSubaccountId();
      stack.receiver.answer(subaccountId, 503);
      const { calendarId } = await stack.connect(subaccountId, newEmail('restart'));
      await stack.receiver.waitFor((r) => r.subaccountId === subaccountId && r.status === 503);

      let restartedAt = 0;
      await stack.restart(() => {
        stack.receiver.heal(subaccountId);
        restartedAt = Date.now();
      });
      const landed = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' }, { timeoutMs: 8000 });
      expect(landed.at.getTime()).toBeGreaterThanOrEqual(restartedAt);
      expect(landed.body.metadata).toMatchObject({ calendarId, isConnected: true });
      // The restarted app still opens the sealed tokens it stored before.
      await calendarsOf(calendarId).expect(200);
    });

    it('delivers an update left pending under its former name (`sync`), renamed at start with its index', async () => {
      const subaccountId = newSubaccountId();
      stack.receiver.answer(subaccountId, 503);
      const { calendarId } = await stack.connect(subaccountId, newEmail('renamed'));
      await stack.receiver.waitFor((r) => r.subaccountId === subaccountId && r.status === 503);

      const _id = new ObjectId(calendarId);
      await stack.restart(async () => {
        // As a database written before the rename holds it.
        await stack.connections().updateOne({ _id }, { $rename: { metadataUpdate: 'sync' } });
        await stack.connections().createIndex({ 'sync.pending': 1, 'sync.nextAttemptAt': 1 });
        stack.receiver.heal(subaccountId);
      });
      const landed = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' }, { timeoutMs: 8000 });
      expect(landed.body.metadata).toMatchObject({ calendarId, isConnected: true });
      // Recorded delivered just after database-api answered.
      const stored = await eventually(async () => {
        const connection = await stack.connections().findOne({ _id });
        return connection?.['metadataUpdate']?.pending === false ? connection : undefined;
      });
      expect(stored).not.toHaveProperty('sync');
      expect(stored['metadataUpdate']).toMatchObject({ lastError: null, deliveredVersion: stored['stateVersion'] });
      const indexes = (await stack.connections().indexes()).map((index) => index.name);
      expect(indexes).not.toContain('sync.pending_1_sync.nextAttemptAt_1');
      expect(indexes).toContain('metadataUpdate.pending_1_metadataUpdate.nextAttemptAt_1');
    });
  });

  describe('disconnect', () => {
    it('revokes at Google before answering, deletes the tokens, flips the metadata; a second call is a 409 and changes nothing', async () => {
      const subaccountId = newSubaccountId();
      const userEmail = newEmail('leaving');
      const { calendarId } = await stack.connect(subaccountId, userEmail);
      const connected = await stack.receiver.waitForDelivery(subaccountId, { status: 'connected' });
      const before = await stack.connectionOf(subaccountId);
      const sealed = [before?.['accessToken'], before?.['refreshToken']] as string[];
      expect(sealed.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
      const revokesBefore = stack.google.requests.filter((r) => r.path === '/revoke').length;
      const revokedBefore = stack.google.revokedTokens().length;

      const res = await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).expect(200);
      expect(res.body).toEqual({
        success: true,
        message: expect.stringContaining('revoked at Google'),
        data: { calendarId, status: 'disconnected', revokedAtGoogle: true, changed: true },
      });
      // Revoked at the sandbox by the time the answer came.
      const revokes = stack.google.requests.filter((r) => r.path === '/revoke');
      expect(revokes).toHaveLength(revokesBefore + 1);
      expect(revokes.at(-1)?.status).toBe(200);
      expect(stack.google.revokedTokens().length).toBeGreaterThan(revokedBefore);
      const revokedToken = revokes.at(-1)?.form?.['token'] ?? revokes.at(-1)?.query?.['token'];
      expect(stack.google.revokedTokens()).toContain(revokedToken);

      const after = await stack.connectionOf(subaccountId);
      expect(after?.['accessToken']).toBeUndefined();
      expect(after?.['refreshToken']).toBeUndefined();
      expect(after?.['status']).toBe('disconnected');
      const afterJson = JSON.stringify(after);
      for (const value of sealed) expect(afterJson).not.toContain(value);

      const disconnected = await stack.receiver.waitForDelivery(subaccountId, { status: 'disconnected' });
      expect(disconnected.body.metadata).toEqual({
        calendarId,
        userEmail,
        googleEmail: userEmail,
        connectedAt: connected.body.metadata['connectedAt'],
        isConnected: false,
        status: 'disconnected',
        lastError: null,
        disconnectedAt: expect.stringMatching(ISO_DATE),
      });
      expect(disconnected.body.version as number).toBeGreaterThan(connected.body.version as number);
      expect(stack.receiver.metadataOf(subaccountId)).toMatchObject({ isConnected: false, status: 'disconnected' });

      const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
      expect(status.body.data).toMatchObject({ calendarId, status: 'disconnected' });

      const deliveries = stack.receiver.requestsFor(subaccountId).length;
      // The contract: a disconnected connection answers 409 NOT_CONNECTED, disconnect included.
      const again = await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).expect(409);
      expect(again.body).toMatchObject({ success: false, error: { code: 'NOT_CONNECTED' } });
      expect(stack.google.requests.filter((r) => r.path === '/revoke')).toHaveLength(revokesBefore + 1);
      await sleep(300);
      expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(deliveries);

      const calendars = await calendarsOf(calendarId);
      expect(calendars.status).toBe(409);
      expect(calendars.body.success).toBe(false);
    });

    it('answers 409 NOT_CONNECTED for an unknown calendarId and 400 for a malformed one', async () => {
      const unknown = await stack.asService(
        'delete',
        `/api/google-calendar/connections/${new ObjectId().toHexString()}`,
      );
      // The contract: a connection that does not exist is not connected.
      expect(unknown.status).toBe(409);
      expect(unknown.body).toMatchObject({ success: false, error: { code: 'NOT_CONNECTED' } });
      const malformed = await stack.asService('delete', '/api/google-calendar/connections/not-an-id');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    });
  });

  describe('service-token auth', () => {
    let calendarId: string;
    let subaccountId: string;

    beforeAll(async () => {
      subaccountId = newSubaccountId();
      ({ calendarId } = await stack.connect(subaccountId, newEmail('guarded')));
    });

    it.each([
      ['post', '/api/google-calendar/connect'],
      ['get', '/api/google-calendar/connections/:id'],
      ['get', '/api/google-calendar/connections/:id/calendars'],
      ['delete', '/api/google-calendar/connections/:id'],
    ] as const)('%s %s answers 401 without the token and with a wrong one', async (method, template) => {
      const path = template.replace(':id', calendarId);
      const body = method === 'post' ? { subaccountId, userEmail: 'someone@example.com' } : undefined;
      for (const token of [null, 'wrong-token-0123456789abcdef', `${E2E_WEBHOOK_TOKEN}x`]) {
        const res = await stack.asService(method, path, { token, body });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
      }
    });

    it('a refused disconnect revokes nothing and keeps the connection', async () => {
      const revokes = stack.google.requests.filter((r) => r.path === '/revoke').length;
      await stack.asService('delete', `/api/google-calendar/connections/${calendarId}`, { token: null }).expect(401);
      expect(stack.google.requests.filter((r) => r.path === '/revoke')).toHaveLength(revokes);
      expect(await stack.connectionOf(subaccountId)).toMatchObject({
        status: 'connected',
        refreshToken: expect.any(String),
      });
    });

    it('accepts every token of WEBHOOK_SERVER_SERVICE_TOKEN (rotation)', async () => {
      for (const token of [E2E_WEBHOOK_TOKEN, ROTATED_WEBHOOK_TOKEN]) {
        const res = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`, { token });
        expect(res.status).toBe(200);
      }
    });

    it('webhook-api presented DATABASE_SERVER_SERVICE_TOKEN on every metadata update', () => {
      expect(stack.receiver.requests.length).toBeGreaterThan(0);
      expect(stack.receiver.requests.filter((r) => !r.authorized)).toEqual([]);
    });
  });

  // Last in this file: the sandbox's expireAccessTokens() ends every access token issued so far.
  describe('a Google 401 on the calendars route', () => {
    it('is retried once with a freshly refreshed token (access token dropped early by Google)', async () => {
      const subaccountId = newSubaccountId();
      const googleEmail = newEmail('early401');
      const { calendarId } = await stack.connect(subaccountId, googleEmail);
      await calendarsOf(calendarId).expect(200);
      const refreshesBefore = stack.google.tokenRequests('refresh_token').length;
      stack.google.expireAccessTokens();

      const res = await calendarsOf(calendarId);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: {
          success: true,
          data: expect.arrayContaining([expect.objectContaining({ id: googleEmail, primary: true })]),
        },
      });
      expect(stack.google.tokenRequests('refresh_token')).toHaveLength(refreshesBefore + 1);
      expect(await stack.connectionOf(subaccountId)).toMatchObject({ status: 'connected' });
    });

    it('a grant revoked at Google (401, then invalid_grant on the forced refresh) is 409 REAUTH_REQUIRED', async () => {
      const subaccountId = newSubaccountId();
      const userEmail = newEmail('revoked401');
      const { calendarId } = await stack.connect(subaccountId, userEmail);
      stack.google.revokeGrant(userEmail);

      const res = await calendarsOf(calendarId);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 409, code: 'REAUTH_REQUIRED' });
      const status = await stack.asService('get', `/api/google-calendar/connections/${calendarId}`).expect(200);
      expect(status.body.data).toMatchObject({ status: 'reauth_required' });
      const metadata = await stack.receiver.waitForDelivery(subaccountId, { status: 'reauth_required' });
      expect(metadata.body.metadata).toMatchObject({ calendarId, isConnected: false, status: 'reauth_required' });
      const reconnectMails = () =>
        stack.smtp.messages.filter((m) => m.to.includes(userEmail) && m.subject === 'Reconnect your Google Calendar');
      await eventually(() => (reconnectMails().length > 0 ? true : undefined));
      await sleep(300);
      expect(reconnectMails()).toHaveLength(1);
    });
  });
});
