import { WebhookReceiver, statusChangesOf, newSubaccountId } from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import {
  WebhookApiWithGoogle,
  eventually,
  newEmail,
  sleep,
  platformWebhookEnv,
} from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Connecting again while a connection exists: a token answer without a refresh token, and a
 * disconnect that a re-consent (or a loss of access) overtakes. In-process against the Google
 * sandbox with push channels, FerretDB, SMTP, signed deliveries and a stand-in for database-api.
 */
describe('webhook-api reconnects: refresh tokens and a racing disconnect (e2e)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      env: platformWebhookEnv(receiver, secret),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const calendarsOf = (calendarId: string) =>
    stack.asService('get', `/api/google-calendar/connections/${calendarId}/calendars`);
  const disconnect = (calendarId: string) =>
    stack.asService('delete', `/api/google-calendar/connections/${calendarId}`).then((res) => res);
  /** Connected, with what the transition owes worked off and the metadata delivered. */
  async function connectedAndSettled(subaccountId: string, userEmail: string, googleEmail = userEmail) {
    const made = await stack.connect(subaccountId, userEmail, googleEmail);
    await eventually(async () => {
      const connection = await stack.connectionOf(subaccountId);
      return connection?.['statusChanges']?.length === 0 && connection['metadataUpdate']?.pending === false
        ? true
        : undefined;
    });
    return made;
  }
  /** The callback of a consent at the sandbox as `decision` says. */
  async function reconsent(
    subaccountId: string,
    userEmail: string,
    decision: { email: string; withoutRefreshToken?: boolean },
  ) {
    const authUrl = await stack.startConnect(subaccountId, userEmail);
    stack.google.setNextConsent(decision);
    return stack.callback(await stack.consent(authUrl));
  }
  /**
   * Starts a disconnect that Google holds `ms` in stopping the channel: meanwhile it is
   * between its read and its write. Resolves once it is held, with its answer to come.
   */
  async function disconnectHeldInStop(calendarId: string, email: string, ms: number) {
    stack.google.failApiRequests(1, { kind: 'hang', ms }, { method: 'POST', path: /\/channels\/stop$/ });
    const answer = disconnect(calendarId);
    await eventually(() =>
      stack.google.requests.some(
        (r) => r.path.endsWith('/channels/stop') && r.account === email && r.status === undefined,
      )
        ? true
        : undefined,
    );
    return { answer };
  }

  describe('a token answer without a refresh token', () => {
    it('is refused for another Google account: failure page, the connection and its metadata as they were', async () => {
      const subaccountId = newSubaccountId();
      const first = newEmail('first');
      const { calendarId } = await connectedAndSettled(subaccountId, first);
      const before = await stack.connectionOf(subaccountId);
      const updates = stack.receiver.requestsFor(subaccountId).length;

      const page = await reconsent(subaccountId, first, { email: newEmail('other'), withoutRefreshToken: true });
      expect(page.status).toBe(400);
      expect(page.text).toContain('data-result="failure"');
      expect(page.text).toMatch(/id="reason">no_refresh_token</);
      expect(await stack.connectionOf(subaccountId)).toEqual(before);
      // Its calls still reach the first account's calendar.
      const calendars = await calendarsOf(calendarId).expect(200);
      expect(calendars.body.data).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: first, primary: true })]),
      );
      await sleep(300);
      expect(stack.receiver.requestsFor(subaccountId)).toHaveLength(updates);
    });

    it('keeps the stored refresh token for the same Google account while connected', async () => {
      const subaccountId = newSubaccountId();
      const email = newEmail('same');
      const { calendarId } = await connectedAndSettled(subaccountId, email);
      const before = await stack.connectionOf(subaccountId);

      const page = await reconsent(subaccountId, email, { email, withoutRefreshToken: true });
      expect(page.status).toBe(200);
      const after = await stack.connectionOf(subaccountId);
      expect(after).toMatchObject({ status: 'connected', googleEmail: email, refreshToken: before?.['refreshToken'] });
      expect(after?.['accessToken']).not.toBe(before?.['accessToken']);
      await calendarsOf(calendarId).expect(200);
    });

    it('is refused after access was lost: the stored refresh token is the one Google refused', async () => {
      const subaccountId = newSubaccountId();
      const email = newEmail('lost');
      const { calendarId } = await connectedAndSettled(subaccountId, email);
      stack.google.revokeGrant(email);
      await calendarsOf(calendarId).expect(409);
      const before = await eventually(async () => {
        const connection = await stack.connectionOf(subaccountId);
        return connection?.['status'] === 'reauth_required' && connection['statusChanges']?.length === 0
          ? connection
          : undefined;
      });

      const page = await reconsent(subaccountId, email, { email, withoutRefreshToken: true });
      expect(page.status).toBe(400);
      expect(page.text).toMatch(/id="reason">no_refresh_token</);
      expect(await stack.connectionOf(subaccountId)).toMatchObject({
        status: 'reauth_required',
        stateVersion: before['stateVersion'],
        accessToken: before['accessToken'],
      });
    });
  });

  describe('a disconnect overtaken while it runs', () => {
    it('by a re-consent: the re-consent stays, with its tokens; the disconnect answers 409 CONNECTION_CHANGED', async () => {
      const subaccountId = newSubaccountId();
      const email = newEmail('racing');
      const { calendarId } = await connectedAndSettled(subaccountId, email);
      const before = await stack.connectionOf(subaccountId);

      const { answer } = await disconnectHeldInStop(calendarId, email, 1500);
      // The user consents again meanwhile, and that lands first.
      await stack.connect(subaccountId, email);
      const res = await answer;
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ success: false, error: { code: 'CONNECTION_CHANGED' } });

      const after = await stack.connectionOf(subaccountId);
      expect(after).toMatchObject({ status: 'connected', refreshToken: expect.any(String) });
      expect(after?.['refreshToken']).not.toBe(before?.['refreshToken']);
      await calendarsOf(calendarId).expect(200);
      // The platform never heard of a disconnect; the connection gets a channel again.
      await eventually(async () =>
        (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
      );
      await eventually(() => (stack.google.channels(email).length === 1 ? true : undefined), 10_000);
      await sleep(300);
      expect(statusChangesOf(receiver.delivered, calendarId)).toEqual([[null, 'connected']]);
      expect(stack.receiver.metadataOf(subaccountId)).toMatchObject({ status: 'connected', isConnected: true });
    });

    it('by a loss of access: it still disconnects (the grant it revoked is the one that was lost)', async () => {
      const subaccountId = newSubaccountId();
      const email = newEmail('lostwhile');
      const { calendarId } = await connectedAndSettled(subaccountId, email);

      const { answer } = await disconnectHeldInStop(calendarId, email, 1500);
      stack.google.revokeGrant(email);
      await calendarsOf(calendarId).expect(409);
      expect(await stack.connectionOf(subaccountId)).toMatchObject({ status: 'reauth_required' });
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, data: { calendarId, status: 'disconnected', changed: true } });
      const after = await stack.connectionOf(subaccountId);
      expect(after).toMatchObject({ status: 'disconnected' });
      expect(after?.['refreshToken']).toBeUndefined();
      await eventually(() => (statusChangesOf(receiver.delivered, calendarId).length === 3 ? true : undefined));
      expect(statusChangesOf(receiver.delivered, calendarId)).toEqual([
        [null, 'connected'],
        ['connected', 'reauth_required'],
        ['reauth_required', 'disconnected'],
      ]);
    });
  });
});
