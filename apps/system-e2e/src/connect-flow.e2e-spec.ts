import { newSubaccountId } from '@connector-service/testing';
import { MongoClient } from 'mongodb';
import { createHash } from 'node:crypto';
import { Stack, eventually } from './support/stack';

const CALENDAR_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.events',
];

describe('Google Calendar connect flow across both apps (system e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(() => stack?.stop());

  /** A subaccount with the google-calendar connector, asked to connect; returns the answer. */
  async function requestConnection(subaccountId: string, userEmail: string) {
    const created = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, {
      connectorId: 'google-calendar',
    });
    expect(created.status).toBe(201);
    return stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, { userEmail });
  }

  async function connectorMetadata(subaccountId: string): Promise<Record<string, unknown>> {
    const res = await stack.asUser(subaccountId, 'GET', `/api/connectors/${subaccountId}/google-calendar`);
    return res.body.data.metadata;
  }

  async function connectionCount(subaccountId: string): Promise<number> {
    const client = await MongoClient.connect(stack.webhookMongoUri);
    try {
      return await client.db().collection('googlecalendarconnections').countDocuments({ subaccountId });
    } finally {
      await client.close();
    }
  }

  it('goes from handlegooglecalendar through the e-mailed link and consent to connected metadata', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = `owner-${subaccountId.slice(0, 6)}@example.com`;
    const answer = await requestConnection(subaccountId, userEmail);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true,
      message: `Authorization link sent to ${userEmail}`,
      data: { authUrl: expect.any(String), userEmail, subaccountId, emailSent: true },
    });
    const authUrl: string = answer.body.data.authUrl;

    // The consent URL, to the letter of the contract.
    const url = new URL(authUrl);
    expect(`${url.origin}${url.pathname}`).toBe(stack.google.endpoints.authUrl);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(stack.google.clientId);
    expect(q.get('redirect_uri')).toBe(`${stack.webhookApi.url}/api/google-calendar/callback`);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('login_hint')).toBe(userEmail);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(q.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining([...CALENDAR_SCOPES, 'https://www.googleapis.com/auth/userinfo.email']),
    );

    // The e-mail carries exactly that link, in both parts.
    const mail = await stack.smtp.waitForMessage((m) => m.to.includes(userEmail));
    expect(mail.subject).toBe('Connect your Google Calendar');
    expect(mail.from).toContain('noreply@example.test');
    expect(mail.text).toContain(authUrl);
    expect(mail.html).toContain(authUrl.replace(/&/g, '&#38;'));

    // Consent at (sandbox) Google, then the browser lands on our callback.
    const callbackUrl = await stack.consent(authUrl);
    const page = await stack.openCallback(callbackUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Google Calendar connected');

    // PKCE: the verifier sent with the code matches the challenge of the link.
    const exchange = stack.google
      .tokenRequests('authorization_code')
      .find((r) => r.form?.['code'] === new URL(callbackUrl).searchParams.get('code'));
    const verifier = exchange?.form?.['code_verifier'] ?? '';
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'));

    // The metadata lands without anyone asking again, visible through both GET routes.
    const metadata = await eventually(async () => {
      const m = await connectorMetadata(subaccountId);
      return m['isConnected'] === true ? m : undefined;
    }, 5000);
    expect(metadata).toEqual({
      calendarId: expect.stringMatching(/^[0-9a-f]{24}$/),
      userEmail,
      googleEmail: userEmail,
      connectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      isConnected: true,
      status: 'connected',
      lastError: null,
      disconnectedAt: null,
    });
    const list = await stack.asUser(subaccountId, 'GET', `/api/connectors/${subaccountId}`);
    expect(list.body.data[0].metadata).toEqual(metadata);

    // The state is single use: replaying the callback (e.g. reloading the success page)
    // changes nothing, and the page says the calendar stays connected if it just was.
    const replay = await stack.openCallback(callbackUrl);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('invalid_state');
    expect(replay.html).toContain('If you have just connected your calendar, it stays connected');
    expect(await connectorMetadata(subaccountId)).toEqual(metadata);
    expect(await connectionCount(subaccountId)).toBe(1);
  });

  it('keeps the calendarId when the subaccount connects again (another Google account)', async () => {
    const subaccountId = newSubaccountId();
    const first = await requestConnection(subaccountId, 'first@example.com');
    await stack.openCallback(await stack.consent(first.body.data.authUrl));
    const before = await eventually(async () => {
      const m = await connectorMetadata(subaccountId);
      return m['isConnected'] ? m : undefined;
    });

    const again = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail: 'first@example.com',
    });
    stack.google.setNextConsent({ email: 'second.account@gmail.com' });
    const page = await stack.openCallback(await stack.consent(again.body.data.authUrl));
    expect(page.status).toBe(200);
    const after = await eventually(async () => {
      const m = await connectorMetadata(subaccountId);
      return m['googleEmail'] === 'second.account@gmail.com' ? m : undefined;
    });
    expect(after['calendarId']).toBe(before['calendarId']);
    expect(await connectionCount(subaccountId)).toBe(1);
  });

  it.each([
    ['access_denied', () => stack.google.setNextConsent({ deny: true })],
    [
      'scope_not_granted',
      () => stack.google.setNextConsent({ grantedScopes: ['https://www.googleapis.com/auth/userinfo.email'] }),
    ],
    [
      'token_exchange_failed',
      () =>
        stack.google.failTokenRequests(1, {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'Bad Request' },
        }),
    ],
  ])('answers %s with a failure page and stores nothing', async (reason, arrange) => {
    const subaccountId = newSubaccountId();
    const answer = await requestConnection(subaccountId, 'someone@example.com');
    arrange();
    const page = await stack.openCallback(await stack.consent(answer.body.data.authUrl));
    expect(page.status).toBe(400);
    expect(page.html).toContain('Google Calendar not connected');
    expect(page.html).toContain(reason);
    expect(await connectionCount(subaccountId)).toBe(0);
    expect(await connectorMetadata(subaccountId)).toEqual({});
  });

  it('refuses an unknown or missing state, and an expired one', async () => {
    const unknown = await stack.openCallback(
      `${stack.webhookApi.url}/api/google-calendar/callback?code=abc&state=never-issued`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('invalid_state');
    const missing = await stack.openCallback(`${stack.webhookApi.url}/api/google-calendar/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('missing_state');
    const odd = await stack.openCallback(`${stack.webhookApi.url}/api/google-calendar/callback?state[$ne]=x&code[]=1`);
    expect(odd.status).toBe(400);

    const subaccountId = newSubaccountId();
    const answer = await requestConnection(subaccountId, 'late@example.com');
    const client = await MongoClient.connect(stack.webhookMongoUri);
    try {
      await client
        .db()
        .collection('oauthstates')
        .updateMany({ subaccountId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    } finally {
      await client.close();
    }
    const page = await stack.openCallback(await stack.consent(answer.body.data.authUrl));
    expect(page.status).toBe(400);
    expect(page.html).toContain('state_expired');
    expect(await connectionCount(subaccountId)).toBe(0);
  });

  it('stores one connection when the same callback arrives twice at once', async () => {
    const subaccountId = newSubaccountId();
    const answer = await requestConnection(subaccountId, 'twice@example.com');
    const callbackUrl = await stack.consent(answer.body.data.authUrl);
    const pages = await Promise.all([stack.openCallback(callbackUrl), stack.openCallback(callbackUrl)]);
    expect(pages.map((p) => p.status).sort()).toEqual([200, 400]);
    expect(await connectionCount(subaccountId)).toBe(1);
  });

  it('never stores a Google token in plaintext, in either database', async () => {
    const issued = stack.google.issuedTokens();
    expect(issued.length).toBeGreaterThan(0);
    for (const uri of [stack.webhookMongoUri, stack.databaseMongoUri]) {
      const client = await MongoClient.connect(uri);
      try {
        const db = client.db();
        for (const { name } of await db.listCollections().toArray()) {
          const dump = JSON.stringify(await db.collection(name).find().toArray());
          for (const token of issued) expect(dump).not.toContain(token);
        }
      } finally {
        await client.close();
      }
    }
  });

  it('answers 404 to handlegooglecalendar when the connector does not exist', async () => {
    const subaccountId = newSubaccountId();
    const res = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail: 'x@example.com',
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: 'CONNECTOR_NOT_FOUND' } });
  });
});
