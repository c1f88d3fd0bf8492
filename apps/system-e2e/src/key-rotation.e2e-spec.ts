import { AppProcess, newSubaccountId } from '@connector-service/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Stack, eventually } from './support/stack';

// TOKEN_ENCRYPTION_KEY rotation as an operator runs it (CONTRACT.md, "Connection lifecycle"):
// put the new key first, run the built `reencrypt-tokens` command, then drop the old key.
// Connections and consent links issued before the rotation keep working.

const run = promisify(execFile);

describe('TOKEN_ENCRYPTION_KEY rotation with the built reencrypt-tokens command (system e2e)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let stack: Stack;
  let rotated: AppProcess | undefined;

  beforeAll(async () => {
    stack = await Stack.start({ webhookEnv: { TOKEN_ENCRYPTION_KEY: oldKey } });
  });

  afterAll(async () => {
    await rotated?.stop();
    await stack?.stop();
  });

  it('re-seals tokens and pending consent links, so that the old key can be dropped', async () => {
    const connected = newSubaccountId();
    await stack.connect(connected, 'rotating@example.com');
    // A consent link e-mailed before the rotation, used after it.
    const pending = newSubaccountId();
    await stack.asUser(pending, 'POST', `/api/connectors/${pending}`, { connectorId: 'google-calendar' });
    const link = await stack.asUser(pending, 'POST', `/api/connectors/${pending}/handlegooglecalendar`, {
      userEmail: 'late@example.com',
    });
    expect(link.status).toBe(200);

    await stack.webhookApi.stop();
    const env = { ...stack.webhookApi.options.env, TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}` };
    const { stdout } = await run(process.execPath, [stack.webhookApi.options.script, 'reencrypt-tokens'], { env });
    expect(stdout).toContain(
      'Re-encrypted 2 token(s) in 1 connection(s) and 1 PKCE verifier(s) of 1 pending consent link(s)',
    );

    // The old key is gone.
    rotated = new AppProcess({ ...stack.webhookApi.options, env: { ...env, TOKEN_ENCRYPTION_KEY: newKey } });
    await rotated.start();
    const calendars = await stack.asUser(connected, 'GET', `/api/connectors/${connected}/google-calendar/calendars`);
    expect(calendars.status).toBe(200);
    const page = await stack.openCallback(await stack.consent(link.body.data.authUrl));
    expect(page.status).toBe(200);
    const metadata = await eventually(async () => {
      const m = await stack.metadata(pending);
      return m['status'] === 'connected' ? m : undefined;
    });
    expect(metadata).toMatchObject({ isConnected: true, googleEmail: 'late@example.com' });
  }, 60_000);
});
