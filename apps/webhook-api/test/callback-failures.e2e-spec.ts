import { newSubaccountId } from '@connector-service/testing';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

/**
 * The OAuth callback answers a browser: whatever goes wrong on our side (here a PKCE
 * verifier that no configured key decrypts), it is the failure page or the failure
 * redirect with reason `internal_error`, never JSON and never a stack.
 */
describe('webhook-api OAuth callback when something of ours fails (e2e)', () => {
  let stack: WebhookApiWithGoogle;

  afterEach(() => stack.stop());

  /** Starts a connect, consents at the sandbox, and breaks the stored state's sealed verifier. */
  async function callbackWithUndecryptableState(): Promise<string> {
    const subaccountId = newSubaccountId();
    const authUrl = await stack.startConnect(subaccountId, newEmail('broken'));
    const callbackPath = await stack.consent(authUrl);
    const states = stack.mongo.db().collection('oauthstates');
    const updated = await states.updateOne({ subaccountId }, { $set: { codeVerifier: 'v1.deadbeef.AAAA.AAAA.AAAA' } });
    expect(updated.modifiedCount).toBe(1);
    return callbackPath;
  }

  it('answers the failure page (HTML, reason internal_error), never JSON', async () => {
    stack = await WebhookApiWithGoogle.start();
    const page = await stack.callback(await callbackWithUndecryptableState());
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('data-result="failure"');
    expect(page.text).toContain('<code id="reason">internal_error</code>');
    expect(page.text).not.toMatch(/"success"|at .*\.ts:\d+|Error:/);
    expect(await stack.connections().countDocuments({})).toBe(0);
  });

  it('with OAUTH_FAILURE_REDIRECT_URL, redirects there with reason=internal_error', async () => {
    stack = await WebhookApiWithGoogle.start({
      env: { OAUTH_FAILURE_REDIRECT_URL: 'https://app.example.com/calendar/failed' },
    });
    const page = await stack.callback(await callbackWithUndecryptableState());
    expect(page.status).toBe(302);
    const location = new URL(page.headers['location'] as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/calendar/failed');
    expect(location.searchParams.get('status')).toBe('failed');
    expect(location.searchParams.get('reason')).toBe('internal_error');
  });
});
