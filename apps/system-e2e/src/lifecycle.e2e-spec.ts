import { newSubaccountId } from '@connector-service/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { Stack, eventually } from './support/stack';

describe('connection lifecycle: disconnect, refresh, losing access (system e2e)', () => {
  let stack: Stack;
  let mongo: MongoClient;

  beforeAll(async () => {
    stack = await Stack.start({ webhookEnv: { REFRESH_SWEEP_INTERVAL_MS: '300' } });
    mongo = await MongoClient.connect(stack.webhookMongoUri);
  });
  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
  });

  const connections = () => mongo.db().collection('googlecalendarconnections');
  const stored = async (calendarId: string) => connections().findOne({ _id: new ObjectId(calendarId) });
  /**
   * Sets fields of a stored connection once the app has worked off what its connect owed (its
   * own writes to it are done), and until it reads back: FerretDB applies an update as read,
   * modify, replace, so an app write in flight could put the old values back.
   */
  async function setStored(calendarId: string, fields: Record<string, unknown>): Promise<void> {
    const _id = new ObjectId(calendarId);
    await eventually(async () => {
      const doc = await connections().findOne({ _id });
      return doc?.['metadataUpdate']?.['pending'] === false && !doc['statusChangesDueAt'] ? true : undefined;
    });
    await eventually(async () => {
      await connections().updateOne({ _id }, { $set: fields });
      const doc = await connections().findOne({ _id });
      return Object.entries(fields).every(([name, value]) => String(doc?.[name]) === String(value)) ? true : undefined;
    });
  }
  const expireSoon = (calendarId: string) =>
    setStored(calendarId, { accessTokenExpiresAt: new Date(Date.now() + 60_000) });
  const refreshRequests = () => stack.google.tokenRequests('refresh_token').length;

  it('disconnects: revokes at Google, deletes the tokens, flips the metadata; a second call is a 409 NOT_CONNECTED', async () => {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, 'leaving@example.com');
    const revokedBefore = stack.google.revokedTokens().length;

    const res = await stack.asUser(
      subaccountId,
      'DELETE',
      `/api/connectors/${subaccountId}/google-calendar/connection`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      message: expect.stringContaining('revoked at Google'),
      data: { calendarId, status: 'disconnected', revokedAtGoogle: true, changed: true },
    });
    expect(stack.google.revokedTokens().length).toBeGreaterThan(revokedBefore);

    const doc = await stored(calendarId);
    expect(doc?.['accessToken']).toBeUndefined();
    expect(doc?.['refreshToken']).toBeUndefined();
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['status'] === 'disconnected' ? m : undefined;
    });
    expect(metadata).toMatchObject({
      calendarId,
      isConnected: false,
      status: 'disconnected',
      disconnectedAt: expect.any(String),
    });

    const status = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}`);
    expect(status.body.data).toMatchObject({ calendarId, subaccountId, status: 'disconnected' });
    expect(JSON.stringify(status.body)).not.toMatch(/ya29\.|1\/\//);

    const again = await stack.asUser(
      subaccountId,
      'DELETE',
      `/api/connectors/${subaccountId}/google-calendar/connection`,
    );
    // The contract: disconnected answers 409 NOT_CONNECTED on every route, disconnect included.
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOT_CONNECTED');

    const calendars = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`);
    expect(calendars.status).toBe(409);
    // The contract: never connected or disconnected is 409 NOT_CONNECTED.
    expect(calendars.body.error.code).toBe('NOT_CONNECTED');
  });

  it('answers 409 NOT_CONNECTED for a disconnect when there never was a connection', async () => {
    const subaccountId = newSubaccountId();
    await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    const res = await stack.asUser(
      subaccountId,
      'DELETE',
      `/api/connectors/${subaccountId}/google-calendar/connection`,
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_CONNECTED');
    const unknown = await stack.asService('DELETE', `/api/google-calendar/connections/${new ObjectId().toHexString()}`);
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.code).toBe('NOT_CONNECTED');
  });

  it('refreshes a token near expiry, stores the new one sealed, and the next call uses it', async () => {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, 'fresh@example.com');
    const before = await stored(calendarId);
    await expireSoon(calendarId);
    stack.google.expireAccessTokens(); // the old access token no longer works at Google
    const refreshesBefore = refreshRequests();

    const first = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`);
    expect(first.status).toBe(200);
    expect(first.body.data[0]).toMatchObject({ primary: true });
    expect(refreshRequests()).toBe(refreshesBefore + 1);

    const after = await stored(calendarId);
    expect(after?.['accessToken']).toMatch(/^v1\./);
    expect(after?.['accessToken']).not.toBe(before?.['accessToken']);
    expect(after?.['refreshToken']).toBe(before?.['refreshToken']); // Google sent none: kept
    expect(new Date(after?.['accessTokenExpiresAt']).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(new Date(after?.['lastRefreshedAt']).getTime()).toBeGreaterThan(
      new Date(before?.['lastRefreshedAt']).getTime(),
    );
    for (const token of stack.google.issuedTokens()) expect(JSON.stringify(after)).not.toContain(token);

    const second = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`);
    expect(second.status).toBe(200);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
  });

  it('makes one refresh request at Google for many concurrent calls across two replicas', async () => {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, 'busy@example.com');
    const replica = await stack.startWebhookReplica();
    await expireSoon(calendarId);
    stack.google.setTokenDelay(400);
    const refreshesBefore = refreshRequests();
    try {
      const answers = await Promise.all(
        [stack.webhookApi, replica, stack.webhookApi, replica, stack.webhookApi, replica].map((app) =>
          stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`, app),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(refreshRequests()).toBe(refreshesBefore + 1);
    } finally {
      stack.google.setTokenDelay(0);
    }
  });

  it('finds a grant revoked at Google in the sweep: reauth_required metadata, one e-mail; a reconnect restores it', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = 'revoked@example.com';
    const { calendarId } = await stack.connect(subaccountId, userEmail);
    stack.google.revokeGrant(userEmail);
    stack.smtp.clear();
    await setStored(calendarId, { lastRefreshedAt: new Date(Date.now() - 2 * 24 * 3600_000) });

    // The sweep's looks are spaced to ten times their length (DuePoller): on a loaded CI machine
    // a look of a second puts the next 10 s later (a 10-s wait missed once, 2026-12-07).
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['status'] === 'reauth_required' ? m : undefined;
    }, 30000);
    expect(metadata).toMatchObject({
      calendarId,
      isConnected: false,
      status: 'reauth_required',
      lastError: 'invalid_grant',
    });

    const mail = await stack.smtp.waitForMessage((m) => m.to.includes(userEmail));
    expect(mail.subject).toBe('Reconnect your Google Calendar');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several more sweeps
    expect(stack.smtp.messages.filter((m) => m.to.includes(userEmail))).toHaveLength(1);

    const calendars = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`);
    expect(calendars.status).toBe(409);
    expect(calendars.body.error.code).toBe('REAUTH_REQUIRED');

    // The e-mailed link is a normal consent link: using it brings the same calendarId back.
    const link = /https?:\/\/\S+/.exec(mail.text)?.[0] as string;
    const page = await stack.openCallback(await stack.consent(link));
    expect(page.status).toBe(200);
    const restored = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['status'] === 'connected' ? m : undefined;
    });
    expect(restored).toMatchObject({ calendarId, isConnected: true, lastError: null });
  });

  it('leaves the status alone when the token endpoint answers 5xx', async () => {
    const subaccountId = newSubaccountId();
    const { calendarId } = await stack.connect(subaccountId, 'flaky@example.com');
    // Google's token endpoint fails first: else the sweep (every 300 ms) may refresh the token in between.
    stack.google.failTokenRequests(20, { status: 503, body: { error: 'backend_error' } });
    await expireSoon(calendarId);
    try {
      const res = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}/calendars`);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('GOOGLE_UNAVAILABLE');
    } finally {
      stack.google.failTokenRequests(0, { status: 503, body: {} });
    }
    const status = await stack.asService('GET', `/api/google-calendar/connections/${calendarId}`);
    expect(status.body.data).toMatchObject({ status: 'connected', lastError: null });
    expect(await stack.metadata(subaccountId)).toMatchObject({ status: 'connected', isConnected: true });
    const doc = await stored(calendarId);
    expect(doc?.['refreshFailures']).toBe(1);
    expect(new Date(doc?.['nextRefreshAttemptAt']).getTime()).toBeGreaterThan(Date.now());
  });
});
