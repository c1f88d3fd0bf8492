import { newSubaccountId } from '@connector-service/testing';
import { DATABASE_SERVICE_TOKEN, Stack, WEBHOOK_SERVICE_TOKEN, eventually } from './support/stack';

describe('operations across both apps (system e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ databaseEnv: { LOG_LEVEL: 'info' }, webhookEnv: { LOG_LEVEL: 'info' } });
  });
  afterAll(() => stack?.stop());

  it('follows one request id from database-api to webhook-api, and the callback’s into the metadata update', async () => {
    const subaccountId = newSubaccountId();
    await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    const response = await fetch(`${stack.databaseApi.url}/api/connectors/${subaccountId}/handlegooglecalendar`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${stack.userToken([subaccountId])}`,
        'Content-Type': 'application/json',
        'x-request-id': 'trace-connect-0001',
      },
      body: JSON.stringify({ userEmail: 'traced@example.com' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-connect-0001');
    const { data } = (await response.json()) as { data: { authUrl: string } };
    // Both apps log the same request id (log lines reach us through pipes, hence the waits).
    await eventually(async () => stack.databaseApi.logs().includes('"requestId":"trace-connect-0001"'));
    await eventually(async () => stack.webhookApi.logs().includes('"requestId":"trace-connect-0001"'));

    const callbackUrl = await stack.consent(data.authUrl);
    const page = await fetch(callbackUrl, { headers: { 'x-request-id': 'trace-callback-0001' } });
    expect(page.status).toBe(200);
    await eventually(async () => (await stack.metadata(subaccountId))['isConnected'] === true);
    const updateLine = await eventually(async () =>
      stack.databaseApi
        .logs()
        .split('\n')
        .find((line) => line.includes('"requestId":"trace-callback-0001"') && line.includes('metadata/update')),
    );
    expect(JSON.parse(updateLine)).toMatchObject({ req: { method: 'POST' }, res: { statusCode: 200 } });
  });

  it('never writes a token or a credential to the logs', () => {
    const logs = stack.databaseApi.logs() + stack.webhookApi.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      ...stack.google.issuedTokens(),
      DATABASE_SERVICE_TOKEN,
      WEBHOOK_SERVICE_TOKEN,
      stack.google.clientSecret,
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/code=4%2F|[?&]code=/);
  });

  it('finishes a request in flight on SIGTERM, then exits with code 0', async () => {
    const subaccountId = newSubaccountId();
    await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    // A connect request that is still being served (it waits for the SMTP server) when SIGTERM arrives.
    stack.smtp.delayNext(800);
    const inFlight = stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail: 'late@example.com',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = stack.webhookApi.stop('SIGTERM');
    expect((await inFlight).status).toBe(200);
    await stopped;
    expect(stack.webhookApi.exitCode).toBe(0);
    expect(stack.webhookApi.logs()).toContain('Shut down cleanly');
    await stack.databaseApi.stop('SIGTERM');
    expect(stack.databaseApi.exitCode).toBe(0);
  });
});
