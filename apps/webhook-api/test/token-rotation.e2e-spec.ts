import { getFreePort, newSubaccountId } from '@connector-service/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { KeyRotationService } from '../src/commands/key-rotation.service';
import { AccessTokenService } from '../src/token-refresh/access-token.service';
import { TokenCipher } from '../src/connections/token-cipher';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

describe('TOKEN_ENCRYPTION_KEY rotation (e2e, real database)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let api: WebhookApiUnderTest;
  let mongo: MongoClient;
  const calendarId = new ObjectId();

  beforeAll(async () => {
    api = await startWebhookApi({
      SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}`,
      TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}`,
    });
    mongo = await MongoClient.connect(api.mongoUri);
    const sealedWithOldKey = new TokenCipher([oldKey]);
    await mongo
      .db()
      .collection('googlecalendarconnections')
      .insertOne({
        _id: calendarId,
        subaccountId: '68cf05f060d294db17c0685e',
        userEmail: 'user@example.com',
        googleEmail: 'user@gmail.com',
        scopes: [],
        status: 'connected',
        accessToken: sealedWithOldKey.encrypt('ya29.old-access'),
        refreshToken: sealedWithOldKey.encrypt('1//old-refresh'),
        accessTokenExpiresAt: new Date(Date.now() + 3600_000),
        connectedAt: new Date(),
        lastRefreshedAt: new Date(),
        stateVersion: 1,
        sync: { pending: false },
      });
  });
  afterAll(async () => {
    await mongo.close();
    await api.close();
  });

  it('reads tokens sealed with an old key, re-encrypts them all under the first key, and is idempotent', async () => {
    const tokens = api.app.get(AccessTokenService);
    expect(await tokens.accessToken(calendarId.toHexString())).toBe('ya29.old-access');

    const rotation = api.app.get(KeyRotationService);
    expect(await rotation.resealAll()).toEqual({
      connections: { scanned: 1, resealed: 2 },
      consentLinks: { scanned: 0, resealed: 0 },
    });

    const doc = await mongo.db().collection('googlecalendarconnections').findOne({ _id: calendarId });
    const onlyNewKey = new TokenCipher([newKey]);
    expect(onlyNewKey.decrypt(doc?.['accessToken'])).toBe('ya29.old-access');
    expect(onlyNewKey.decrypt(doc?.['refreshToken'])).toBe('1//old-refresh');
    expect(() => new TokenCipher([oldKey]).decrypt(doc?.['refreshToken'])).toThrow();

    expect((await rotation.resealAll()).connections).toEqual({ scanned: 1, resealed: 0 });
    expect(await tokens.accessToken(calendarId.toHexString())).toBe('ya29.old-access');
  });

  it('re-seals the PKCE verifiers of pending consent links too: a link sent before the rotation still connects after the old key is dropped', async () => {
    const stack = await WebhookApiWithGoogle.start({ env: { TOKEN_ENCRYPTION_KEY: oldKey } });
    try {
      const subaccountId = newSubaccountId();
      const userEmail = newEmail('rotated');
      // The link is e-mailed under the old key; the user opens it only after the rotation.
      const authUrl = await stack.startConnect(subaccountId, userEmail);
      await stack.restart(undefined, { TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}` });
      expect(await stack.api.app.get(KeyRotationService).resealAll()).toEqual({
        connections: { scanned: 0, resealed: 0 },
        consentLinks: { scanned: 1, resealed: 1 },
      });
      const [state] = await stack.mongo.db().collection('oauthstates').find({ subaccountId }).toArray();
      expect(new TokenCipher([newKey]).decrypt(state?.['codeVerifier'])).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);

      await stack.restart(undefined, { TOKEN_ENCRYPTION_KEY: newKey });
      const page = await stack.callback(await stack.consent(authUrl));
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-result="success"');
      expect(await stack.connectionOf(subaccountId)).toMatchObject({ status: 'connected', userEmail });
    } finally {
      await stack.stop();
    }
  });
});
