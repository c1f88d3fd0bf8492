import {
  TcpProxy,
  WebhookReceiver,
  mongoUriHostPort,
  replaceMongoUriHostPort,
  startTcpProxy,
  testDatabaseUri,
  newSubaccountId,
} from '@connector-service/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { WebhookApiWithGoogle, eventually, newEmail } from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const NOTIFICATIONS = '/api/google-calendar/notifications';

/**
 * The push endpoint under a flood of pushes that are not Google's: a channel id this service
 * did not make is refused without reading the database, and one address is rate limited.
 */
describe('push notifications endpoint (e2e): foreign channel ids and floods', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;
  let proxy: TcpProxy | undefined;

  async function start(env: Record<string, string> = {}): Promise<void> {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      env: { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: secret, ...env },
    });
  }

  afterEach(async () => {
    await proxy?.restore();
    await stack?.stop();
    await receiver?.close();
    await proxy?.close();
    proxy = undefined;
  });

  const push = (headers: Record<string, string>) => {
    const call = request(stack.api.app.getHttpServer()).post(NOTIFICATIONS);
    for (const [name, value] of Object.entries(headers)) void call.set(name, value);
    return call;
  };
  const pushFor = (channelId: string, token = 'whatever') =>
    push({
      'X-Goog-Channel-ID': channelId,
      'X-Goog-Channel-Token': token,
      'X-Goog-Resource-ID': 'some-resource',
      'X-Goog-Resource-State': 'exists',
      'X-Goog-Message-Number': '7',
    });

  /** Connects and waits until what `connected` owes (baseline, channel) is done. */
  async function connected(): Promise<{ calendarId: string; email: string }> {
    const subaccountId = newSubaccountId();
    const email = newEmail('push');
    const { calendarId } = await stack.connect(subaccountId, email);
    await eventually(async () =>
      (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
    );
    return { calendarId, email };
  }

  it('refuses a channel id it did not make without reading the database (answered 200 even with the database gone)', async () => {
    const direct = testDatabaseUri('webhook_api_pushes');
    proxy = await startTcpProxy(mongoUriHostPort(direct));
    await start({ MONGODB_URI: replaceMongoUriHostPort(direct, proxy.host, proxy.port) });
    const { email } = await connected();
    const [channel] = stack.google.channels(email);
    expect(channel).toBeDefined();
    // A channel we made: an id that cannot be mistaken for any other, within Google's rules.
    expect(channel?.id).toMatch(/^[A-Za-z0-9\-_+/=]{1,64}$/);

    proxy.cut();
    const forged = `${(channel?.id ?? '').slice(0, -4)}AAAA`;
    for (const id of ['not-ours', randomUUID(), forged, 'x'.repeat(64)]) {
      const startedAt = Date.now();
      const res = await pushFor(id);
      expect([id, res.status, res.body]).toEqual([
        id,
        200,
        { success: true, data: { accepted: false }, message: expect.any(String) },
      ]);
      expect(Date.now() - startedAt).toBeLessThan(100);
    }
  });

  it('still takes pushes of channels opened before channel ids were signed', async () => {
    await start();
    const { calendarId } = await connected();
    // A channel as an earlier version opened it: a plain UUID.
    const legacyId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    await stack.restart(async () => {
      await stack.mongo
        .db()
        .collection<{ _id: string } & Record<string, unknown>>('pushchannels')
        .insertOne({
          _id: legacyId,
          calendarId,
          googleCalendarId: 'primary',
          stateVersion: 1,
          tokenHash: createHash('sha256').update(token).digest('hex'),
          resourceId: 'legacy-resource',
          expiration: new Date(Date.now() + 86_400_000),
          renewAt: new Date(Date.now() + 3_600_000),
          openedAt: new Date(),
          renewalFailures: 0,
        });
    });
    const ok = await push({
      'X-Goog-Channel-ID': legacyId,
      'X-Goog-Channel-Token': token,
      'X-Goog-Resource-ID': 'legacy-resource',
      'X-Goog-Resource-State': 'exists',
    });
    expect(ok.body).toMatchObject({ success: true, data: { accepted: true } });
    const wrongToken = await pushFor(legacyId);
    expect(wrongToken.status).toBe(401);
    const otherUuid = await pushFor(randomUUID());
    expect(otherUuid.body).toMatchObject({ success: true, data: { accepted: false } });
  });

  it('rate limits one address flooding the endpoint: 429 RATE_LIMITED with Retry-After, in the envelope', async () => {
    await start({ PUSH_RATE_LIMIT_PER_MINUTE: '5' });
    for (let i = 0; i < 5; i += 1) expect((await pushFor(`flood-${i}`)).status).toBe(200);
    const limited = await pushFor('flood-5');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, message: expect.any(String), error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
