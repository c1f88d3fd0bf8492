import { getFreePort } from '@connector-service/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { TokenRotationService } from '../src/connections/token-rotation.service';
import { AccessTokenService } from '../src/token-refresh/access-token.service';
import { TokenCipher } from '../src/connections/token-cipher';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';

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

    const rotation = api.app.get(TokenRotationService);
    expect(await rotation.reencryptAll()).toEqual({ scanned: 1, reencrypted: 2 });

    const doc = await mongo.db().collection('googlecalendarconnections').findOne({ _id: calendarId });
    const onlyNewKey = new TokenCipher([newKey]);
    expect(onlyNewKey.decrypt(doc?.['accessToken'])).toBe('ya29.old-access');
    expect(onlyNewKey.decrypt(doc?.['refreshToken'])).toBe('1//old-refresh');
    expect(() => new TokenCipher([oldKey]).decrypt(doc?.['refreshToken'])).toThrow();

    expect(await rotation.reencryptAll()).toEqual({ scanned: 1, reencrypted: 0 });
    expect(await tokens.accessToken(calendarId.toHexString())).toBe('ya29.old-access');
  });
});
