import { WebhookReceiver, mintUserJwt, newSubaccountId } from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import { JsonBody, STACK_JWT_SECRET, Stack, eventually } from './support/stack';

const ROUTE = '/api/google-calendar/connections';

describe("the operator's view through both apps (system e2e)", () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let stack: Stack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // Calendars are synced (and so have a last sync) only with a platform to tell.
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      googlePush: true,
      webhookEnv: { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: secret },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  async function asAdmin(query = '', role: string | null = 'admin'): Promise<{ status: number; body: JsonBody }> {
    const token = mintUserJwt(STACK_JWT_SECRET, {
      sub: 'support-agent',
      subaccountIds: [],
      ...(role === null ? {} : { role }),
    });
    const response = await fetch(`${stack.databaseApi.url}${ROUTE}${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: await response.json() };
  }

  it('lists the connections newest first with their figures, by status and page, to admins only', async () => {
    const first = newSubaccountId();
    const second = newSubaccountId();
    const { calendarId: firstId } = await stack.connect(first, 'first-operator@example.com');
    const { calendarId: secondId } = await stack.connect(second, 'second-operator@example.com');

    // The baseline and the push channel follow the connect.
    const listed = await eventually(async () => {
      const res = await asAdmin('?status=connected');
      const items = res.body.data?.items as JsonBody[] | undefined;
      return items?.length === 2 && items.every((item) => item.lastSyncedAt && item.channelExpiresAt)
        ? items
        : undefined;
    }, 20000);
    expect(listed.map((item) => item.calendarId)).toEqual([secondId, firstId]);
    expect(listed[0]).toEqual({
      calendarId: secondId,
      subaccountId: second,
      googleEmail: 'second-operator@example.com',
      status: 'connected',
      lastError: null,
      connectedAt: expect.any(String),
      lastSyncedAt: expect.any(String),
      channelExpiresAt: expect.any(String),
      pendingDeliveries: 0,
      failedDeliveries: 0,
    });
    const [channel] = stack.google.channels('second-operator@example.com');
    expect(listed[0].channelExpiresAt).toBe(new Date(channel?.expiration ?? 0).toISOString());

    const page1 = await asAdmin('?limit=1');
    expect(page1.body.data.items.map((item: JsonBody) => item.calendarId)).toEqual([secondId]);
    const page2 = await asAdmin(`?limit=1&cursor=${page1.body.data.nextCursor}`);
    expect(page2.body.data).toEqual({ items: [expect.objectContaining({ calendarId: firstId })] });

    const disconnected = await stack.asUser(first, 'DELETE', `/api/connectors/${first}/google-calendar/connection`);
    expect(disconnected.status).toBe(200);
    const afterDisconnect = await asAdmin('?status=disconnected');
    expect(afterDisconnect.body.data.items).toEqual([
      expect.objectContaining({ calendarId: firstId, status: 'disconnected', channelExpiresAt: null }),
    ]);
    expect((await asAdmin('?status=connected')).body.data.items.map((item: JsonBody) => item.calendarId)).toEqual([
      secondId,
    ]);

    expect((await asAdmin('', null)).status).toBe(403);
    expect((await asAdmin('', 'owner')).status).toBe(403);
    const bad = await asAdmin('?limit=500');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    // webhook-api's own route, with the service token.
    const direct = await stack.asService('GET', `${ROUTE}?status=connected`);
    expect(direct.body.data.items.map((item: JsonBody) => item.calendarId)).toEqual([secondId]);
  });
});
