import { WebhookReceiver, statusChangesOf, newSubaccountId } from '@connector-service/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { DATABASE_SERVICE_TOKEN, JsonBody, Stack, WEBHOOK_SERVICE_TOKEN, eventually } from './support/stack';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The google-calendar connector's end and the trust between the two apps, through both
 * built apps: removing the connector ends its connection first (CONTRACT.md, the connector
 * `DELETE`), a connector pointed at another subaccount's connection reaches nothing, and a
 * metadata update with a huge version cannot freeze a connector.
 */
describe('removing the google-calendar connector; one subaccount, one connection (system e2e)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let mongo: MongoClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      googlePush: true,
      proxyWebhookApi: true,
      webhookEnv: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        DELIVERY_POLL_INTERVAL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '200',
      },
    });
    mongo = await MongoClient.connect(stack.webhookMongoUri);
  });
  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
    await receiver?.close();
  });

  const connections = () => mongo.db().collection('googlecalendarconnections');
  const connectorPath = (subaccountId: string) => `/api/connectors/${subaccountId}/google-calendar`;
  const statusAtWebhookApi = async (calendarId: string, subaccountId: string) => {
    const res = await fetch(`${stack.webhookApi.url}/api/google-calendar/connections/${calendarId}`, {
      headers: { Authorization: `Bearer ${WEBHOOK_SERVICE_TOKEN}`, 'X-Subaccount-Id': subaccountId },
    });
    return { status: res.status, body: (await res.json()) as JsonBody };
  };
  const updateMetadataAsService = async (subaccountId: string, body: object) => {
    const res = await fetch(`${stack.databaseApi.url}/api/connectors/${subaccountId}/metadata/update`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DATABASE_SERVICE_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as JsonBody };
  };

  /** Connects through database-api and waits for the channel and the `connected` delivery. */
  async function connected(prefix: string): Promise<{ subaccountId: string; calendarId: string; email: string }> {
    const subaccountId = newSubaccountId();
    const email = `${prefix}-${subaccountId.slice(0, 8)}@example.com`;
    const calendarId = String((await stack.connect(subaccountId, email))['calendarId']);
    await eventually(async () => stack.google.channels(email).length === 1);
    await eventually(async () => statusChangesOf(receiver.delivered, calendarId).length === 1);
    return { subaccountId, calendarId, email };
  }

  it('disconnects a connected connector before deleting it; created again it starts empty; connecting again keeps the calendarId', async () => {
    const { subaccountId, calendarId, email } = await connected('removed');
    const [channel] = stack.google.channels(email);
    const revokedBefore = stack.google.revokedTokens().length;

    const removed = await stack.asUser(subaccountId, 'DELETE', connectorPath(subaccountId));
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ success: true, data: { connectorId: 'google-calendar', deleted: true } });

    // As the disconnect route: channel stopped, grant revoked, tokens deleted, the platform told.
    expect(stack.google.channels(email)).toEqual([]);
    expect(stack.google.channels(email, { all: true }).find((c) => c.id === channel?.id)).toMatchObject({
      stopped: true,
    });
    expect(stack.google.revokedTokens().length).toBeGreaterThan(revokedBefore);
    const stored = await connections().findOne({ _id: new ObjectId(calendarId) });
    expect(stored).toMatchObject({ status: 'disconnected' });
    expect(stored?.['accessToken']).toBeUndefined();
    expect(stored?.['refreshToken']).toBeUndefined();
    await eventually(async () => statusChangesOf(receiver.delivered, calendarId).length === 2);
    expect(statusChangesOf(receiver.delivered, calendarId)).toEqual([
      [null, 'connected'],
      ['connected', 'disconnected'],
    ]);
    expect((await stack.asUser(subaccountId, 'GET', connectorPath(subaccountId))).status).toBe(404);

    // Created again: empty, and the disconnect's own metadata update, retried now (as after a
    // failed first attempt), does not land on it.
    const created = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, {
      connectorId: 'google-calendar',
    });
    expect(created.status).toBe(201);
    expect(created.body.data.metadata).toEqual({});
    await connections().updateOne(
      { _id: new ObjectId(calendarId) },
      { $set: { 'metadataUpdate.pending': true, 'metadataUpdate.nextAttemptAt': new Date() } },
    );
    await eventually(async () => {
      const doc = await connections().findOne({ _id: new ObjectId(calendarId) });
      return doc?.['metadataUpdate']?.['pending'] === false;
    });
    expect(await stack.metadata(subaccountId)).toEqual({});

    // Connecting again: the same connection comes back, under the same calendarId.
    const link = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail: email,
    });
    expect(link.status).toBe(200);
    const page = await stack.openCallback(await stack.consent(link.body.data.authUrl));
    expect(page.status).toBe(200);
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['status'] === 'connected' ? m : undefined;
    });
    expect(metadata).toMatchObject({ calendarId, isConnected: true, googleEmail: email });
    expect((await statusAtWebhookApi(calendarId, subaccountId)).body.data).toMatchObject({ status: 'connected' });
  });

  it('answers 502 and deletes nothing when webhook-api cannot be reached', async () => {
    const { subaccountId, calendarId } = await connected('kept');
    stack.webhookProxy?.cut();
    try {
      const res = await stack.asUser(subaccountId, 'DELETE', connectorPath(subaccountId));
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      await stack.webhookProxy?.restore();
    }
    expect(await stack.metadata(subaccountId)).toMatchObject({ calendarId, status: 'connected' });
    expect((await statusAtWebhookApi(calendarId, subaccountId)).body.data).toMatchObject({ status: 'connected' });
  });

  it("a connector pointed at another subaccount's connection reaches nothing of it", async () => {
    const victim = await connected('victim');
    const intruder = newSubaccountId();
    await stack.asUser(intruder, 'POST', `/api/connectors/${intruder}`, { connectorId: 'google-calendar' });
    const pointed = await updateMetadataAsService(intruder, {
      metadata: { calendarId: victim.calendarId, status: 'connected', isConnected: true },
    });
    expect(pointed.status).toBe(200);

    const calendars = await stack.asUser(intruder, 'GET', `${connectorPath(intruder)}/calendars`);
    expect(calendars.status).toBe(409);
    expect(calendars.body.error.code).toBe('NOT_CONNECTED');
    expect(JSON.stringify(calendars.body)).not.toContain(victim.email);
    const disconnect = await stack.asUser(intruder, 'DELETE', `${connectorPath(intruder)}/connection`);
    expect(disconnect.status).toBe(409);
    // Removing the intruder's connector does not end the victim's connection either.
    expect((await stack.asUser(intruder, 'DELETE', connectorPath(intruder))).status).toBe(200);

    expect((await statusAtWebhookApi(victim.calendarId, victim.subaccountId)).body.data).toMatchObject({
      status: 'connected',
    });
    expect(stack.google.channels(victim.email)).toHaveLength(1);
    const own = await stack.asUser(victim.subaccountId, 'GET', `${connectorPath(victim.subaccountId)}/calendars`);
    expect(own.status).toBe(200);
  });

  it("a metadata update with a huge version does not freeze the connector: webhook-api's next update lands", async () => {
    const { subaccountId, calendarId } = await connected('frozen');
    const poisoned = await updateMetadataAsService(subaccountId, {
      metadata: { status: 'frozen' },
      version: Number.MAX_SAFE_INTEGER,
    });
    expect(poisoned.status).toBe(200);

    const res = await stack.asUser(subaccountId, 'DELETE', `${connectorPath(subaccountId)}/connection`);
    expect(res.status).toBe(200);
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['status'] === 'disconnected' ? m : undefined;
    });
    expect(metadata).toMatchObject({ calendarId, isConnected: false, status: 'disconnected' });
  });
});
