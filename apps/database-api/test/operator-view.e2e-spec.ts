import { mintUserJwt, newSubaccountId } from '@connector-service/testing';
import {
  DatabaseApiUnderTest,
  E2E_JWT_SECRET,
  E2E_SERVICE_TOKEN,
  E2E_WEBHOOK_TOKEN,
  startDatabaseApi,
} from './support/database-api-app';
import { FakeWebhookApi, startFakeWebhookApi } from './support/fake-webhook-api';

const ROUTE = '/api/google-calendar/connections';
const TIMEOUT_MS = 1000;

/** A page as webhook-api answers it. */
const PAGE = {
  items: [
    {
      calendarId: '68cf06a160d294db17c06871',
      subaccountId: '68cf05f060d294db17c0685e',
      googleEmail: 'user@example.com',
      status: 'reauth_required',
      lastError: 'invalid_grant',
      connectedAt: '2026-12-01T08:00:00.000Z',
      lastSyncedAt: '2026-12-06T10:00:00.000Z',
      channelExpiresAt: null,
      pendingDeliveries: 1,
      failedDeliveries: 2,
    },
  ],
  nextCursor: '68cf06a160d294db17c06871',
};

describe("database-api's operator view (e2e, real database, stand-in webhook-api)", () => {
  let webhookApi: FakeWebhookApi;
  let api: DatabaseApiUnderTest;
  let admin: string;

  beforeAll(async () => {
    webhookApi = await startFakeWebhookApi();
    api = await startDatabaseApi({ WEBHOOK_SERVER_URL: webhookApi.url, WEBHOOK_API_TIMEOUT_MS: String(TIMEOUT_MS) });
    admin = api.userToken([], 'admin');
  });
  afterAll(async () => {
    await api.close();
    await webhookApi.close();
  });
  beforeEach(() => {
    webhookApi.reset();
    webhookApi.answerWith({ status: 200, body: { success: true, data: PAGE } });
  });

  const list = (jwt: string | null, query = '') => {
    const req = api.http().get(`${ROUTE}${query}`);
    return jwt === null ? req : req.set('Authorization', `Bearer ${jwt}`);
  };

  it('answers 401 without a valid token, and calls nothing', async () => {
    const expired = mintUserJwt(
      E2E_JWT_SECRET,
      { sub: 'admin-1', subaccountIds: [], role: 'admin' },
      { expiresIn: -10 },
    );
    for (const jwt of [null, 'not.a.jwt', E2E_SERVICE_TOKEN, expired]) {
      const res = await list(jwt);
      expect([res.status, res.body.success, res.body.error?.code]).toEqual([401, false, 'UNAUTHORIZED']);
    }
    expect(webhookApi.requests).toEqual([]);
  });

  it('answers 403 to every token but an admin one, whatever its subaccounts, and calls nothing', async () => {
    for (const jwt of [
      api.userToken([newSubaccountId()]),
      api.userToken([]),
      api.userToken([newSubaccountId()], 'owner'),
    ]) {
      const res = await list(jwt);
      expect([res.status, res.body.success, res.body.error?.code]).toEqual([403, false, 'FORBIDDEN']);
    }
    expect(webhookApi.requests).toEqual([]);
  });

  it("answers an admin webhook-api's page, asked with the service token and the same query", async () => {
    const res = await list(admin, '?status=reauth_required&limit=25&cursor=68cf06a160d294db17c06872').set(
      'x-request-id',
      'operator-req-1',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: PAGE });
    expect(webhookApi.requests).toHaveLength(1);
    const [seen] = webhookApi.requests;
    expect(seen).toMatchObject({
      method: 'GET',
      path: ROUTE,
      query: { status: 'reauth_required', limit: '25', cursor: '68cf06a160d294db17c06872' },
    });
    expect(seen?.headers['authorization']).toBe(`Bearer ${E2E_WEBHOOK_TOKEN}`);
    expect(seen?.headers['x-request-id']).toBe('operator-req-1');
    expect(Number(seen?.headers['x-request-timeout-ms'])).toBeLessThanOrEqual(TIMEOUT_MS);
  });

  it('asks webhook-api for its defaults when the query is empty', async () => {
    const lastPage = { items: [] };
    webhookApi.answerWith({ status: 200, body: { success: true, data: lastPage } });
    const res = await list(admin);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(lastPage);
    expect(webhookApi.requests.map((r) => [r.path, r.query])).toEqual([[ROUTE, {}]]);
  });

  it.each([['status=broken'], ['limit=0'], ['limit=201'], ['limit=x'], ['cursor=abc'], ['page=2']])(
    'answers ?%s with a 400 and calls nothing',
    async (query) => {
      const res = await list(admin, `?${query}`);
      expect([res.status, res.body.success, res.body.error?.code]).toEqual([400, false, 'VALIDATION_FAILED']);
      expect(webhookApi.requests).toEqual([]);
    },
  );

  it('answers 502 when webhook-api fails and 504 when it does not answer in time', async () => {
    webhookApi.answerWith({
      status: 500,
      body: { success: false, message: 'boom', error: { code: 'INTERNAL_ERROR' } },
    });
    const failing = await list(admin);
    expect([failing.status, failing.body.error?.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);

    webhookApi.answerWith({ status: 200, body: { success: true, data: PAGE }, delayMs: TIMEOUT_MS + 500 });
    const slow = await list(admin);
    expect([slow.status, slow.body.error?.code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
  });
});
