import { SmtpCapture, getFreePort, startSmtpCapture } from '@connector-service/testing';
import { MongoClient } from 'mongodb';
import { E2E_WEBHOOK_TOKEN, WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';

const SUBACCOUNT = '68cf05f060d294db17c0685e';

describe('webhook-api POST /api/google-calendar/connect (e2e, real database and SMTP)', () => {
  let smtp: SmtpCapture;
  let api: WebhookApiUnderTest;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startWebhookApi({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await api.close();
    await smtp.close();
  });

  const connect = (body: object, token = E2E_WEBHOOK_TOKEN) =>
    api.http().post('/api/google-calendar/connect').set('Authorization', `Bearer ${token}`).send(body);

  it('answers the consent link, e-mails it, and keeps only a hash of the state', async () => {
    const res = await connect({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' }).expect(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Authorization link sent to user@example.com',
      data: {
        authUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:9\/o\/oauth2\/v2\/auth\?/),
        userEmail: 'user@example.com',
        subaccountId: SUBACCOUNT,
        emailSent: true,
      },
    });
    const authUrl = new URL(res.body.data.authUrl);
    const state = authUrl.searchParams.get('state') as string;
    expect(authUrl.searchParams.get('client_id')).toBe('e2e-client-id');
    expect(authUrl.searchParams.get('redirect_uri')).toBe('http://localhost:3004/api/google-calendar/callback');

    const mail = await smtp.waitForMessage((m) => m.to.includes('user@example.com'));
    expect(mail.subject).toBe('Connect your Google Calendar');
    expect(mail.text).toContain(res.body.data.authUrl);
    expect(mail.html).toContain('Connect Google Calendar');

    const client = await MongoClient.connect(api.mongoUri);
    try {
      const stored = await client.db().collection('oauthstates').find({ subaccountId: SUBACCOUNT }).toArray();
      expect(stored).toHaveLength(1);
      const dump = JSON.stringify(stored);
      expect(dump).not.toContain(state);
      expect(stored[0]['codeVerifier']).toMatch(/^v1\./);
      const ttl = new Date(stored[0]['expiresAt']).getTime() - new Date(stored[0]['createdAt']).getTime();
      expect(ttl).toBe(15 * 60 * 1000);
    } finally {
      await client.close();
    }
  });

  it('sends one e-mail after another over the same SMTP connection (pooled)', async () => {
    smtp.clear();
    for (const userEmail of ['pool-1@example.com', 'pool-2@example.com', 'pool-3@example.com']) {
      await connect({ subaccountId: SUBACCOUNT, userEmail }).expect(200);
    }
    const mails = await Promise.all(
      ['pool-1@example.com', 'pool-2@example.com', 'pool-3@example.com'].map((to) =>
        smtp.waitForMessage((m) => m.to.includes(to)),
      ),
    );
    expect(new Set(mails.map((m) => m.sessionId)).size).toBe(1);
  });

  it('makes a fresh state and PKCE challenge every time', async () => {
    const a = await connect({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' }).expect(200);
    const b = await connect({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' }).expect(200);
    const qa = new URL(a.body.data.authUrl).searchParams;
    const qb = new URL(b.body.data.authUrl).searchParams;
    expect(qa.get('state')).not.toBe(qb.get('state'));
    expect(qa.get('code_challenge')).not.toBe(qb.get('code_challenge'));
  });

  it('answers 401 without the service token', async () => {
    await api
      .http()
      .post('/api/google-calendar/connect')
      .send({ subaccountId: SUBACCOUNT, userEmail: 'u@example.com' })
      .expect(401);
    const res = await connect({ subaccountId: SUBACCOUNT, userEmail: 'u@example.com' }, 'wrong-token').expect(401);
    expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
  });

  it.each([
    [{ subaccountId: 'nope', userEmail: 'u@example.com' }],
    [{ subaccountId: SUBACCOUNT, userEmail: 'not-an-email' }],
    [{ subaccountId: SUBACCOUNT, userEmail: { $gt: '' } }],
    [{ subaccountId: SUBACCOUNT, userEmail: 'u@example.com', extra: 1 }],
    [{ subaccountId: SUBACCOUNT }],
  ])('answers 400 for %j', async (body) => {
    const res = await connect(body).expect(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('webhook-api connect with the SMTP server down', () => {
  let api: WebhookApiUnderTest;

  beforeAll(async () => {
    api = await startWebhookApi({ SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}` });
  });
  afterAll(() => api.close());

  it('still answers 200 with the link, emailSent: false and a message saying so', async () => {
    const res = await api
      .http()
      .post('/api/google-calendar/connect')
      .set('Authorization', `Bearer ${E2E_WEBHOOK_TOKEN}`)
      .send({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' })
      .expect(200);
    expect(res.body.data).toMatchObject({
      emailSent: false,
      authUrl: expect.any(String),
      userEmail: 'user@example.com',
    });
    expect(res.body.message).toMatch(/could not be e-mailed/);
  });
});

describe('webhook-api connect with OAUTH_STATE_TTL_SECONDS=1800', () => {
  let smtp: SmtpCapture;
  let api: WebhookApiUnderTest;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startWebhookApi({ SMTP_URL: smtp.url, OAUTH_STATE_TTL_SECONDS: '1800' });
  });
  afterAll(async () => {
    await api.close();
    await smtp.close();
  });

  it('keeps the state 30 minutes and the e-mail says so', async () => {
    await api
      .http()
      .post('/api/google-calendar/connect')
      .set('Authorization', `Bearer ${E2E_WEBHOOK_TOKEN}`)
      .send({ subaccountId: SUBACCOUNT, userEmail: 'ttl@example.com' })
      .expect(200);
    const mail = await smtp.waitForMessage((m) => m.to.includes('ttl@example.com'));
    expect(mail.text).toContain('expires in 30 minutes');
    expect(mail.html).toContain('expires in 30 minutes');
    expect(mail.text).not.toContain('15 minutes');
    const client = await MongoClient.connect(api.mongoUri);
    try {
      const [stored] = await client.db().collection('oauthstates').find({ userEmail: 'ttl@example.com' }).toArray();
      expect(new Date(stored['expiresAt']).getTime() - new Date(stored['createdAt']).getTime()).toBe(1800 * 1000);
    } finally {
      await client.close();
    }
  });
});
