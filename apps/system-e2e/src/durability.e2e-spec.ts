import { newSubaccountId } from '@connector-service/testing';
import { Stack, eventually } from './support/stack';

describe('durable metadata updates and failing services (system e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(() => stack?.stop());

  async function prepare(subaccountId: string): Promise<string> {
    expect(
      (await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' }))
        .status,
    ).toBe(201);
    const answer = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail: `user-${subaccountId.slice(0, 6)}@example.com`,
    });
    expect(answer.status).toBe(200);
    return stack.consent(answer.body.data.authUrl);
  }

  const isConnected = async (subaccountId: string) => {
    const res = await stack.asUser(subaccountId, 'GET', `/api/connectors/${subaccountId}/google-calendar`);
    return res.body.data?.metadata?.isConnected === true ? res.body.data.metadata : undefined;
  };

  it('answers 502 in the envelope, quickly, while webhook-api is down', async () => {
    const subaccountId = newSubaccountId();
    await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    await stack.webhookApi.stop('SIGKILL');
    try {
      const started = Date.now();
      const res = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
        userEmail: 'a@example.com',
      });
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ success: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stack.webhookApi.start();
    }
  });

  it('delivers the metadata once database-api is back after being down during the callback', async () => {
    const subaccountId = newSubaccountId();
    const callbackUrl = await prepare(subaccountId);
    await stack.databaseApi.stop('SIGKILL');
    const page = await stack.openCallback(callbackUrl);
    expect(page.status).toBe(200); // stored before answering; database-api is not needed for that
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a few failed attempts
    await stack.databaseApi.start();
    const metadata = await eventually(() => isConnected(subaccountId), 15000);
    expect(metadata.status).toBe('connected');
  });

  it('delivers a pending update after webhook-api is killed and restarted', async () => {
    const subaccountId = newSubaccountId();
    const callbackUrl = await prepare(subaccountId);
    await stack.databaseApi.stop('SIGKILL');
    expect((await stack.openCallback(callbackUrl)).status).toBe(200);
    await stack.webhookApi.stop('SIGKILL'); // the pending update exists only in MongoDB now
    await stack.databaseApi.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await isConnected(subaccountId)).toBeUndefined();
    await stack.webhookApi.start();
    // A delivery the killed process had in hand stays leased until its lease expires (11 s here).
    const metadata = await eventually(() => isConnected(subaccountId), 30000);
    expect(metadata.calendarId).toMatch(/^[0-9a-f]{24}$/);
  });
});
