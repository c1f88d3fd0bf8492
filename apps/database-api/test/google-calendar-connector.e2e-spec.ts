import { getFreePort, newSubaccountId } from '@connector-service/testing';
import {
  DatabaseApiUnderTest,
  E2E_SERVICE_TOKEN,
  E2E_WEBHOOK_TOKEN,
  startDatabaseApi,
} from './support/database-api-app';
import { FakeWebhookApi, startFakeWebhookApi } from './support/fake-webhook-api';

/** webhook-api's answer to a disconnect that changed the connection. */
const disconnected = (calendarId: string) => ({
  status: 200,
  body: {
    success: true,
    message: 'Disconnected; access was revoked at Google',
    data: { calendarId, status: 'disconnected', revokedAtGoogle: true, changed: true },
  },
});

/** The metadata webhook-api's outbox writes for one state of a connection. */
const stateOf = (calendarId: string, status: string) => ({
  calendarId,
  userEmail: 'user@example.com',
  googleEmail: 'user@gmail.com',
  connectedAt: '2026-01-05T12:00:00.000Z',
  isConnected: status === 'connected',
  status,
  lastError: null,
  disconnectedAt: status === 'disconnected' ? '2026-01-06T12:00:00.000Z' : null,
});

/**
 * The google-calendar connector's own lifecycle in database-api: removing it ends its
 * connection at webhook-api first, and a connector created again is a new one.
 */
describe('database-api google-calendar connector: removal and the subaccount sent along (e2e)', () => {
  let webhookApi: FakeWebhookApi;
  let api: DatabaseApiUnderTest;
  let subaccountId: string;
  let token: string;
  let calendarId: string;

  beforeAll(async () => {
    webhookApi = await startFakeWebhookApi();
    api = await startDatabaseApi({ WEBHOOK_SERVER_URL: webhookApi.url, WEBHOOK_API_TIMEOUT_MS: '1000' });
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

  const addConnector = (connectorId = 'google-calendar', http = api) =>
    http.http().post(`/api/connectors/${subaccountId}`).set('Authorization', `Bearer ${token}`).send({ connectorId });
  const removeConnector = (connectorId = 'google-calendar', http = api) =>
    http.http().delete(`/api/connectors/${subaccountId}/${connectorId}`).set('Authorization', `Bearer ${token}`);
  const getConnector = () =>
    api.http().get(`/api/connectors/${subaccountId}/google-calendar`).set('Authorization', `Bearer ${token}`);
  const updateMetadata = (body: object) =>
    api
      .http()
      .post(`/api/connectors/${subaccountId}/metadata/update`)
      .set('Authorization', `Bearer ${E2E_SERVICE_TOKEN}`)
      .send(body);

  /** The connector as webhook-api's outbox leaves it, in the state `status`. */
  async function connectorIn(status: string, scope = 'epoch-one-0123456789abcdef', version = 3): Promise<void> {
    await addConnector().expect(201);
    await updateMetadata({ metadata: stateOf(calendarId, status), version, versionScope: scope }).expect(200);
  }

  describe('removing it', () => {
    it.each(['connected', 'reauth_required'])(
      'a %s connection is first disconnected at webhook-api (naming the subaccount), then the connector is deleted',
      async (status) => {
        await connectorIn(status);
        webhookApi.answerWith(disconnected(calendarId));

        const res = await removeConnector().expect(200);

        expect(res.body).toEqual({ success: true, data: { connectorId: 'google-calendar', deleted: true } });
        expect(webhookApi.requests).toHaveLength(1);
        expect(webhookApi.requests[0]).toMatchObject({
          method: 'DELETE',
          path: `/api/google-calendar/connections/${calendarId}`,
        });
        expect(webhookApi.requests[0].headers['authorization']).toBe(`Bearer ${E2E_WEBHOOK_TOKEN}`);
        expect(webhookApi.requests[0].headers['x-subaccount-id']).toBe(subaccountId);
        await getConnector().expect(404);
      },
    );

    it('answers 502 and deletes nothing when webhook-api cannot be reached', async () => {
      // A second app on the same database whose webhook-api address has no listener.
      const nobody = await startDatabaseApi({
        MONGODB_URI: api.mongoUri,
        WEBHOOK_SERVER_URL: `http://127.0.0.1:${await getFreePort()}`,
      });
      try {
        await connectorIn('connected');
        const res = await removeConnector('google-calendar', nobody).expect(502);
        expect(res.body).toEqual({
          success: false,
          message: 'webhook-api is unavailable',
          error: { code: 'UPSTREAM_UNAVAILABLE' },
        });
        expect((await getConnector().expect(200)).body.data.metadata).toMatchObject({
          calendarId,
          status: 'connected',
        });
      } finally {
        await nobody.close();
      }
    });

    it.each<[string, number, object, number, string]>([
      [
        'failing',
        500,
        { success: false, message: 'boom', error: { code: 'INTERNAL_ERROR' } },
        502,
        'UPSTREAM_UNAVAILABLE',
      ],
      [
        'Google failing at the revoke',
        502,
        { success: false, message: 'x', error: { code: 'GOOGLE_UNAVAILABLE' } },
        502,
        'GOOGLE_UNAVAILABLE',
      ],
    ])('answers webhook-api %s with its error and deletes nothing', async (_what, status, body, answered, code) => {
      await connectorIn('connected');
      webhookApi.answerWith({ status, body });
      const res = await removeConnector().expect(answered);
      expect(res.body.error.code).toBe(code);
      await getConnector().expect(200);
    });

    it('answers 504 and deletes nothing when webhook-api does not answer in time', async () => {
      await connectorIn('connected');
      webhookApi.answerWith({ ...disconnected(calendarId), delayMs: 3000 });
      const res = await removeConnector().expect(504);
      expect(res.body.error.code).toBe('UPSTREAM_TIMEOUT');
      await getConnector().expect(200);
    });

    it.each<[string, (id: string) => Record<string, unknown> | null]>([
      ['never connected (empty metadata)', () => null],
      ['disconnected', (id) => stateOf(id, 'disconnected')],
      [
        'naming no usable calendarId',
        () => ({ calendarId: 'not-a-calendar-id', status: 'connected', isConnected: true }),
      ],
    ])('is deleted without asking webhook-api when the metadata shows no connection: %s', async (_what, metadataOf) => {
      await addConnector().expect(201);
      const metadata = metadataOf(calendarId);
      if (metadata) await updateMetadata({ metadata }).expect(200);
      await removeConnector().expect(200);
      expect(webhookApi.requests).toEqual([]);
      await getConnector().expect(404);
    });

    it('is deleted when webhook-api answers that there is no connection to end (409 NOT_CONNECTED)', async () => {
      await connectorIn('connected');
      webhookApi.answerWith({
        status: 409,
        body: { success: false, message: 'not connected', error: { code: 'NOT_CONNECTED' } },
      });
      await removeConnector().expect(200);
      expect(webhookApi.requests).toHaveLength(1);
      await getConnector().expect(404);
    });

    it('removes another kind of connector without asking webhook-api', async () => {
      await addConnector('slack').expect(201);
      await removeConnector('slack').expect(200);
      expect(webhookApi.requests).toEqual([]);
    });
  });

  describe('created again', () => {
    it('starts empty, takes no update of the removed connector’s connection epoch, and takes the next consent', async () => {
      const epoch = 'epoch-one-0123456789abcdef';
      await connectorIn('connected', epoch, 3);
      webhookApi.answerWith(disconnected(calendarId));
      await removeConnector().expect(200);

      const created = await addConnector().expect(201);
      expect(created.body.data.metadata).toEqual({});

      // The disconnect's own update (the removal made it) and a late duplicate of an older one.
      const leftover = await updateMetadata({
        metadata: stateOf(calendarId, 'disconnected'),
        version: 4,
        versionScope: epoch,
      }).expect(200);
      expect(leftover.body.data).toMatchObject({ applied: false, connector: { metadata: {} } });
      await updateMetadata({ metadata: stateOf(calendarId, 'connected'), version: 2, versionScope: epoch }).expect(200);
      expect((await getConnector().expect(200)).body.data.metadata).toEqual({});

      // Connecting again is a new epoch of the same connection: same calendarId.
      const consent = await updateMetadata({
        metadata: stateOf(calendarId, 'connected'),
        version: 5,
        versionScope: 'epoch-two-0123456789abcdef',
      }).expect(200);
      expect(consent.body.data.applied).toBe(true);
      expect((await getConnector().expect(200)).body.data.metadata).toEqual(stateOf(calendarId, 'connected'));
    });

    it('removed twice, refuses the updates of both earlier epochs', async () => {
      for (const epoch of ['epoch-one-0123456789abcdef', 'epoch-two-0123456789abcdef']) {
        await connectorIn('connected', epoch, 3);
        webhookApi.answerWith(disconnected(calendarId));
        await removeConnector().expect(200);
      }
      await addConnector().expect(201);
      for (const epoch of ['epoch-one-0123456789abcdef', 'epoch-two-0123456789abcdef']) {
        const res = await updateMetadata({
          metadata: stateOf(calendarId, 'disconnected'),
          version: 9,
          versionScope: epoch,
        }).expect(200);
        expect(res.body.data.applied).toBe(false);
      }
      expect((await getConnector().expect(200)).body.data.metadata).toEqual({});
    });
  });

  describe('the subaccount goes with every call to webhook-api', () => {
    it('on the consent link', async () => {
      await addConnector().expect(201);
      webhookApi.answerWith({
        status: 200,
        body: {
          success: true,
          data: { authUrl: 'https://accounts.example/auth', userEmail: 'a@example.com', subaccountId, emailSent: true },
        },
      });
      await api
        .http()
        .post(`/api/connectors/${subaccountId}/handlegooglecalendar`)
        .set('Authorization', `Bearer ${token}`)
        .send({ userEmail: 'a@example.com' })
        .expect(200);
      expect(webhookApi.requests.map((r) => r.headers['x-subaccount-id'])).toEqual([subaccountId]);
    });

    it('on the disconnect', async () => {
      await connectorIn('connected');
      webhookApi.answerWith(disconnected(calendarId));
      await api
        .http()
        .delete(`/api/connectors/${subaccountId}/google-calendar/connection`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(webhookApi.requests.map((r) => [r.path, r.headers['x-subaccount-id']])).toEqual([
        [`/api/google-calendar/connections/${calendarId}`, subaccountId],
      ]);
    });
  });

  describe('OpenAPI document', () => {
    it('documents the 502 and 504 of removing a connector', async () => {
      const doc = (await api.http().get('/api/docs-json').expect(200)).body;
      const operation = doc.paths['/api/connectors/{subaccountId}/{connectorId}'].delete;
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '404', '502', '504']));
    });
  });
});
