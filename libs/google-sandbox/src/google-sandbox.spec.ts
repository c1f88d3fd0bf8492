import { ClientAuthentication, CodeChallengeMethod, Credentials, OAuth2Client } from 'google-auth-library';
// The per-API modules: googleapis' index loads all ~300 Google APIs.
import { calendar_v3, calendar as calendarV3 } from 'googleapis/build/src/apis/calendar';
import { oauth2 as oauth2V2 } from 'googleapis/build/src/apis/oauth2';
import { IncomingHttpHeaders, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { GoogleSandbox } from './index';

// Wire compatibility is proven with the real clients: google-auth-library's OAuth2Client for
// consent URL, code exchange, refresh and revoke; googleapis for userinfo and Calendar v3.

const REDIRECT_URI = 'http://127.0.0.1:9/api/google-calendar/callback';
const CALENDAR_READONLY = 'https://www.googleapis.com/auth/calendar.readonly';
const CALENDAR_EVENTS = 'https://www.googleapis.com/auth/calendar.events';
const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
/** What our connector asks for. */
const APP_SCOPES = [CALENDAR_READONLY, CALENDAR_EVENTS, USERINFO_EMAIL];

interface Consent {
  location: URL;
  code: string;
  codeVerifier: string;
  state: string;
}

interface HttpFailure {
  status: number | undefined;
  data: unknown;
  /** Class name of the error: GaxiosError for an HTTP error answer. */
  name: string;
  message: string;
}

/** The rejection of a googleapis / google-auth-library call, as status and body. */
async function failureOf(call: Promise<unknown>): Promise<HttpFailure> {
  try {
    await call;
  } catch (error) {
    // google-auth-library has its own nested gaxios: compare the class name, not instanceof.
    const e = error as Error & { response?: { status?: number; data?: unknown } };
    return { status: e.response?.status, data: e.response?.data, name: e.constructor.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('GoogleSandbox', () => {
  let sandbox: GoogleSandbox;
  const logLines: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    sandbox = await GoogleSandbox.start({
      autoConsent: true,
      accounts: [{ email: 'alice@example.com', name: 'Alice Example' }],
      log: (line) => logLines.push(line),
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  afterEach(() => {
    sandbox.setAutoConsent(true);
    sandbox.setTokenDelay(0);
    sandbox.clearApiFailures();
  });

  /** A fresh e-mail per test, so grants of one test never leak into another (include_granted_scopes). */
  function uniqueEmail(name = 'user'): string {
    counter += 1;
    return `${name}-${counter}@example.com`;
  }

  function newClient(options: { clientSecret?: string; clientId?: string; basic?: boolean } = {}): OAuth2Client {
    return new OAuth2Client({
      clientId: options.clientId ?? sandbox.clientId,
      clientSecret: options.clientSecret ?? sandbox.clientSecret,
      redirectUri: REDIRECT_URI,
      endpoints: {
        oauth2AuthBaseUrl: sandbox.endpoints.authUrl,
        oauth2TokenUrl: sandbox.endpoints.tokenUrl,
        oauth2RevokeUrl: sandbox.endpoints.revokeUrl,
        oauth2FederatedSignonPemCertsUrl: sandbox.endpoints.pemCertsUrl,
      },
      ...(options.basic ? { clientAuthentication: ClientAuthentication.ClientSecretBasic } : {}),
      // gaxios 7 loads node-fetch with a dynamic import(), which Jest's VM refuses without
      // --experimental-vm-modules; Node's own fetch avoids it (googleapis calls use this too).
      transporterOptions: { fetchImplementation: fetch },
    });
  }

  async function consentUrl(
    client: OAuth2Client,
    email: string,
    scope: string[] = APP_SCOPES,
    extra: { prompt?: string; include_granted_scopes?: boolean } = { prompt: 'consent' },
  ): Promise<{ url: string; codeVerifier: string; state: string }> {
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = `state-${counter}-${Date.now()}`;
    const url = client.generateAuthUrl({
      access_type: 'offline',
      scope,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      login_hint: email,
      ...extra,
    });
    return { url, codeVerifier, state };
  }

  /** Consent through the auto-consent redirect, as the browser would follow it. */
  async function consent(client: OAuth2Client, email: string, scope: string[] = APP_SCOPES): Promise<Consent> {
    const { url, codeVerifier, state } = await consentUrl(client, email, scope);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    return { location, code: location.searchParams.get('code') ?? '', codeVerifier, state };
  }

  /** Consent and code exchange: a client holding the tokens of `email`. */
  async function connect(
    email: string,
    scope: string[] = APP_SCOPES,
  ): Promise<{ client: OAuth2Client; tokens: Credentials }> {
    const client = newClient();
    const { code, codeVerifier } = await consent(client, email, scope);
    const { tokens } = await client.getToken({ code, codeVerifier });
    client.setCredentials(tokens);
    return { client, tokens };
  }

  function calendarApi(auth: OAuth2Client) {
    return calendarV3({ version: 'v3', rootUrl: sandbox.endpoints.apiRootUrl, auth });
  }

  function oauth2Api(auth: OAuth2Client) {
    return oauth2V2({ version: 'v2', rootUrl: sandbox.endpoints.apiRootUrl, auth });
  }

  async function postForm(
    url: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; body: unknown; type: string | null }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: await response.json(), type: response.headers.get('content-type') };
  }

  it('listens on loopback and publishes its endpoints', () => {
    const port = Number(new URL(sandbox.baseUrl).port);
    expect(port).toBeGreaterThan(0);
    expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${port}/`);
    expect(sandbox.endpoints).toMatchObject({
      authUrl: `http://127.0.0.1:${port}/o/oauth2/v2/auth`,
      tokenUrl: `http://127.0.0.1:${port}/token`,
      revokeUrl: `http://127.0.0.1:${port}/revoke`,
      apiRootUrl: `http://127.0.0.1:${port}/`,
    });
    expect(sandbox.clientId).toBe('sandbox-client-id');
    expect(sandbox.clientSecret).toBe('sandbox-client-secret');
  });

  describe('authorization code flow with PKCE', () => {
    it('redirects with state, code and granted scopes, and exchanges the code like Google', async () => {
      const email = uniqueEmail('owner');
      const client = newClient();
      const { location, code, codeVerifier, state } = await consent(client, email);

      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('state')).toBe(state);
      expect(code).toMatch(/^4\/0A[\w-]+$/);
      expect(location.searchParams.get('scope')?.split(' ')).toEqual(APP_SCOPES);
      expect(location.searchParams.get('authuser')).toBe('0');
      expect(location.searchParams.get('prompt')).toBe('consent');

      const before = Date.now();
      const { tokens, res } = await client.getToken({ code, codeVerifier });
      expect(res?.status).toBe(200);
      expect(res?.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(tokens.access_token).toMatch(/^ya29\.[\w-]+$/);
      expect(tokens.refresh_token).toMatch(/^1\/\/0[\w-]+$/);
      expect(tokens.token_type).toBe('Bearer');
      expect(tokens.scope?.split(' ')).toEqual(APP_SCOPES);
      expect(tokens.expiry_date).toBeGreaterThanOrEqual(before + 3599_000);
      expect(tokens.expiry_date).toBeLessThanOrEqual(Date.now() + 3599_000);
      // userinfo.email without openid: like Google, an id_token comes along.
      expect(tokens.id_token?.split('.')).toHaveLength(3);

      // google-auth-library sends the client credentials in the form body (client_secret_post).
      const exchange = sandbox.tokenRequests('authorization_code').find((r) => r.form?.['code'] === code);
      expect(exchange?.form).toEqual({
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        code,
        code_verifier: codeVerifier,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT_URI,
      });
      expect(exchange?.status).toBe(200);
      expect(sandbox.issuedTokens()).toEqual(expect.arrayContaining([tokens.access_token, tokens.refresh_token]));
    });

    it('serves userinfo to googleapis for the consenting account', async () => {
      const email = uniqueEmail('info');
      const { client } = await connect(email);
      const { data, status } = await oauth2Api(client).userinfo.get();
      expect(status).toBe(200);
      expect(data).toEqual({
        id: expect.stringMatching(/^\d{21}$/),
        email,
        verified_email: true,
        picture: expect.stringMatching(/^https:\/\//),
      });
      // The same id every time for the same account.
      const again = await oauth2Api(client).userinfo.get();
      expect(again.data.id).toBe(data.id);
    });

    it('issues a verifiable RS256 id_token for openid email', async () => {
      const email = uniqueEmail('oidc');
      const { client, tokens } = await connect(email, ['openid', 'email']);
      expect(tokens.scope).toBe(`openid ${USERINFO_EMAIL}`);
      const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? '', audience: sandbox.clientId });
      expect(ticket.getPayload()).toMatchObject({
        iss: 'https://accounts.google.com',
        aud: sandbox.clientId,
        email,
        email_verified: true,
      });
    });

    it('sends the client credentials as HTTP Basic when the client is told to', async () => {
      const client = newClient({ basic: true });
      const { code, codeVerifier } = await consent(client, uniqueEmail('basic'));
      const { tokens } = await client.getToken({ code, codeVerifier });
      expect(tokens.access_token).toMatch(/^ya29\./);
      const exchange = sandbox.tokenRequests('authorization_code').find((r) => r.form?.['code'] === code);
      expect(exchange?.form?.['client_secret']).toBeUndefined();
    });

    it('refuses a wrong or missing code verifier with invalid_grant', async () => {
      const client = newClient();
      const { code } = await consent(client, uniqueEmail('pkce'));
      const wrong = await failureOf(client.getToken({ code, codeVerifier: 'x'.repeat(64) }));
      expect(wrong).toMatchObject({
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Invalid code verifier.' },
      });
      const missing = await failureOf(client.getToken({ code }));
      expect(missing).toMatchObject({
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Missing code verifier.' },
      });
    });

    it('refuses a code used twice with invalid_grant', async () => {
      const client = newClient();
      const { code, codeVerifier } = await consent(client, uniqueEmail('reuse'));
      await client.getToken({ code, codeVerifier });
      const reuse = await failureOf(client.getToken({ code, codeVerifier }));
      expect(reuse).toMatchObject({
        name: 'GaxiosError',
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Bad Request' },
      });
    });

    it('refuses another redirect_uri (redirect_uri_mismatch), a wrong secret and an unknown client', async () => {
      const client = newClient();
      const { code, codeVerifier } = await consent(client, uniqueEmail('client'));
      const mismatch = await failureOf(
        client.getToken({ code, codeVerifier, redirect_uri: 'http://127.0.0.1:9/other' }),
      );
      expect(mismatch).toMatchObject({
        status: 400,
        data: { error: 'redirect_uri_mismatch', error_description: 'Bad Request' },
      });
      const badSecret = await failureOf(newClient({ clientSecret: 'nope' }).getToken({ code, codeVerifier }));
      expect(badSecret).toMatchObject({
        status: 401,
        data: { error: 'invalid_client', error_description: 'Unauthorized' },
      });
      const unknown = await failureOf(newClient({ clientId: 'someone-else' }).getToken({ code, codeVerifier }));
      expect(unknown).toMatchObject({
        status: 401,
        data: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
      });
    });

    it('answers an unsupported grant type like Google', async () => {
      const answer = await postForm(sandbox.endpoints.tokenUrl, {
        grant_type: 'password',
        client_id: sandbox.clientId,
      });
      expect(answer).toEqual({
        status: 400,
        type: 'application/json; charset=utf-8',
        body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' },
      });
    });

    it('redirects with error=access_denied when the user denies', async () => {
      const client = newClient();
      sandbox.setNextConsent({ deny: true });
      const { location, code, state } = await consent(client, uniqueEmail('deny'));
      expect(code).toBe('');
      expect(location.searchParams.get('error')).toBe('access_denied');
      expect(location.searchParams.get('state')).toBe(state);
      // Only the next consent: the one after is granted again.
      expect((await consent(client, uniqueEmail('deny'))).code).not.toBe('');
    });

    it('signs in the account chosen with setNextConsent rather than login_hint', async () => {
      const other = uniqueEmail('chosen');
      sandbox.setNextConsent({ email: other });
      const { client } = await connect(uniqueEmail('hinted'));
      expect((await oauth2Api(client).userinfo.get()).data.email).toBe(other);
    });

    it('answers the next exchange without a refresh_token when setNextConsent says so; its access token works', async () => {
      const email = uniqueEmail('norefresh');
      sandbox.setNextConsent({ email, withoutRefreshToken: true });
      const { client, tokens } = await connect(email);
      expect(tokens.access_token).toMatch(/^ya29\./);
      expect(tokens.refresh_token).toBeUndefined();
      expect((await oauth2Api(client).userinfo.get()).data.email).toBe(email);
      // Only the next consent: the one after brings a refresh token again.
      expect((await connect(email)).tokens.refresh_token).toMatch(/^1\/\/0/);
    });

    it('shows Google error pages for a broken authorization request', async () => {
      const client = newClient({ clientId: 'unknown-client' });
      const { url } = await consentUrl(client, uniqueEmail());
      const unknown = await fetch(url, { redirect: 'manual' });
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await unknown.text()).toContain('Error 401: invalid_client');

      const noScope = new URL((await consentUrl(newClient(), uniqueEmail())).url);
      noScope.searchParams.delete('scope');
      const missing = await fetch(noScope, { redirect: 'manual' });
      expect(missing.status).toBe(400);
      expect(await missing.text()).toContain('Missing required parameter: scope');
    });
  });

  describe('refresh, expiry and revocation', () => {
    it('refreshes without a new refresh token, and old access tokens keep working', async () => {
      const { client, tokens } = await connect(uniqueEmail('refresh'));
      const before = sandbox.tokenRequests('refresh_token').length;
      const { credentials, res } = await client.refreshAccessToken();
      expect(res?.status).toBe(200);
      expect(credentials.access_token).toMatch(/^ya29\./);
      expect(credentials.access_token).not.toBe(tokens.access_token);
      expect(credentials.refresh_token).toBe(tokens.refresh_token);
      expect(sandbox.tokenRequests('refresh_token')).toHaveLength(before + 1);
      expect(sandbox.tokenRequests('refresh_token').at(-1)?.form).toEqual({
        refresh_token: tokens.refresh_token,
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        grant_type: 'refresh_token',
      });

      // On the wire (res.data above is rewritten by google-auth-library: expires_in becomes
      // expiry_date and the old refresh_token is copied in), the answer has no refresh_token.
      const wire = await postForm(sandbox.endpoints.tokenUrl, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      });
      expect(wire).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
        body: {
          access_token: expect.stringMatching(/^ya29\./),
          expires_in: 3599,
          scope: APP_SCOPES.join(' '),
          token_type: 'Bearer',
        },
      });

      // The access token from before the refreshes still works.
      const old = newClient();
      old.setCredentials({ access_token: tokens.access_token ?? '' });
      expect((await oauth2Api(old).userinfo.get()).status).toBe(200);
    });

    it('answers 401 for expired access tokens and the client refreshes on its own', async () => {
      const { client, tokens } = await connect(uniqueEmail('expired'));
      sandbox.expireAccessTokens();
      const raw = await fetch(`${sandbox.baseUrl}oauth2/v2/userinfo`, {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(raw.status).toBe(401);
      expect(raw.headers.get('www-authenticate')).toContain('invalid_token');
      expect(await raw.json()).toEqual({
        error: {
          code: 401,
          message: expect.stringMatching(
            /^Request had invalid authentication credentials\. Expected OAuth 2 access token/,
          ),
          status: 'UNAUTHENTICATED',
        },
      });

      const refreshes = sandbox.tokenRequests('refresh_token').length;
      client.setCredentials({ ...tokens, expiry_date: Date.now() - 1000 });
      const { data } = await calendarApi(client).calendarList.list();
      expect(data.items).toHaveLength(1);
      expect(sandbox.tokenRequests('refresh_token')).toHaveLength(refreshes + 1);
    });

    it('answers 401 "missing credential" without a token', async () => {
      const raw = await fetch(`${sandbox.baseUrl}oauth2/v2/userinfo`);
      expect(raw.status).toBe(401);
      const body = (await raw.json()) as { error: { message: string; status: string } };
      expect(body.error.status).toBe('UNAUTHENTICATED');
      expect(body.error.message).toMatch(/^Request is missing required authentication credential\./);
    });

    it('revokes the whole grant via revokeToken (token in the query string)', async () => {
      const { client, tokens } = await connect(uniqueEmail('revoke'));
      const refreshToken = tokens.refresh_token ?? '';
      const res = await client.revokeToken(refreshToken);
      expect(res.status).toBe(200);
      expect(res.data).toEqual({});
      const revokeRequest = sandbox.requests.filter((r) => r.path === '/revoke').at(-1);
      expect(revokeRequest).toMatchObject({ method: 'POST', query: { token: refreshToken } });
      expect(revokeRequest?.form).toBeUndefined();

      const refresh = await failureOf(client.refreshAccessToken());
      expect(refresh).toMatchObject({
        name: 'GaxiosError',
        message: 'invalid_grant',
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
      });
      const stale = newClient();
      stale.setCredentials({ access_token: tokens.access_token ?? '' });
      const userinfo = await failureOf(oauth2Api(stale).userinfo.get());
      expect(userinfo.status).toBe(401);
      const again = await failureOf(newClient().revokeToken(refreshToken));
      expect(again).toMatchObject({
        status: 400,
        data: { error: 'invalid_token', error_description: 'Token expired or revoked' },
      });
      expect(sandbox.revokedTokens()).toEqual(expect.arrayContaining([refreshToken, tokens.access_token]));
    });

    it('revokes a form-posted access token with its refresh token', async () => {
      const { tokens } = await connect(uniqueEmail('form-revoke'));
      const answer = await postForm(sandbox.endpoints.revokeUrl, { token: tokens.access_token ?? '' });
      expect(answer).toMatchObject({ status: 200, body: {} });
      const refresh = await postForm(sandbox.endpoints.tokenUrl, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      });
      expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('revokeGrant(email) ends refresh and access tokens as if the user removed access', async () => {
      const email = uniqueEmail('removed');
      const { client } = await connect(email);
      await calendarApi(client).calendarList.list();
      sandbox.revokeGrant(email);
      const list = await failureOf(calendarApi(client).calendarList.list());
      expect(list.status).toBe(401);
      expect(list.data).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
      const refresh = await failureOf(client.refreshAccessToken());
      expect(refresh).toMatchObject({ status: 400, data: { error: 'invalid_grant' } });
      expect(() => sandbox.revokeGrant('nobody@example.com')).toThrow(/no live grant/);
    });

    it('revokeGrant(refreshToken) ends only that grant', async () => {
      const email = uniqueEmail('two-grants');
      const first = await connect(email);
      const second = await connect(email);
      sandbox.revokeGrant(first.tokens.refresh_token ?? '');
      expect((await failureOf(first.client.refreshAccessToken())).data).toMatchObject({ error: 'invalid_grant' });
      expect((await second.client.refreshAccessToken()).credentials.access_token).toMatch(/^ya29\./);
    });
  });

  describe('test controls for the token endpoint', () => {
    it('failTokenRequests answers the next N token requests as told, then normally', async () => {
      const client = newClient();
      const { code, codeVerifier } = await consent(client, uniqueEmail('fail'));
      sandbox.failTokenRequests(1, { status: 400, body: { error: 'invalid_grant', error_description: 'Bad Request' } });
      const failed = await failureOf(client.getToken({ code, codeVerifier }));
      expect(failed).toMatchObject({ status: 400, data: { error: 'invalid_grant', error_description: 'Bad Request' } });
      // The injected answer did not use up the code.
      const { tokens } = await client.getToken({ code, codeVerifier });
      expect(tokens.access_token).toMatch(/^ya29\./);
    });

    it('a 503 is retried by google-auth-library itself (POSTs to the token URL are retried on 5xx)', async () => {
      const client = newClient();
      const { code, codeVerifier } = await consent(client, uniqueEmail('retry'));
      sandbox.failTokenRequests(1, { status: 503, body: { error: 'backend_error' } });
      const { tokens } = await client.getToken({ code, codeVerifier });
      expect(tokens.access_token).toMatch(/^ya29\./);
      const attempts = sandbox.tokenRequests('authorization_code').filter((r) => r.form?.['code'] === code);
      expect(attempts.map((r) => r.status)).toEqual([503, 200]);

      // Three retries at most: a fourth 5xx reaches the caller.
      client.setCredentials(tokens);
      const before = sandbox.tokenRequests('refresh_token').length;
      sandbox.failTokenRequests(4, { status: 503, body: { error: 'backend_error' } });
      const failed = await failureOf(client.refreshAccessToken());
      expect(failed).toMatchObject({ name: 'GaxiosError', status: 503, data: { error: 'backend_error' } });
      expect(
        sandbox
          .tokenRequests('refresh_token')
          .slice(before)
          .map((r) => r.status),
      ).toEqual([503, 503, 503, 503]);
    });

    it('setTokenDelay makes concurrent refreshes overlap', async () => {
      const a = await connect(uniqueEmail('slow-a'));
      const b = await connect(uniqueEmail('slow-b'));
      sandbox.setTokenDelay(300);
      const started = Date.now();
      const [ra, rb] = await Promise.all([a.client.refreshAccessToken(), b.client.refreshAccessToken()]);
      const elapsed = Date.now() - started;
      expect(ra.credentials.access_token).toMatch(/^ya29\./);
      expect(rb.credentials.access_token).toMatch(/^ya29\./);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(550);
    });
  });

  describe('granular consent and scopes', () => {
    it('without a calendar scope, Calendar answers 403 and userinfo still works', async () => {
      const email = uniqueEmail('no-calendar');
      sandbox.setNextConsent({ grantedScopes: [USERINFO_EMAIL] });
      const { client, tokens } = await connect(email);
      expect(tokens.scope).toBe(USERINFO_EMAIL);
      const list = await failureOf(calendarApi(client).calendarList.list());
      expect(list.status).toBe(403);
      expect(list.data).toMatchObject({
        error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' },
      });
      expect((await oauth2Api(client).userinfo.get()).data.email).toBe(email);
    });

    it('a read-only grant reads but cannot insert events', async () => {
      const { client } = await connect(uniqueEmail('readonly'), [CALENDAR_READONLY, USERINFO_EMAIL]);
      const calendar = calendarApi(client);
      await calendar.events.list({ calendarId: 'primary' });
      const insert = await failureOf(
        calendar.events.insert({
          calendarId: 'primary',
          requestBody: { start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } },
        }),
      );
      expect(insert.status).toBe(403);
    });

    it('include_granted_scopes adds earlier grants; without prompt=consent no new refresh token', async () => {
      const email = uniqueEmail('incremental');
      await connect(email, [USERINFO_EMAIL]);
      const client = newClient();
      const { url, codeVerifier } = await consentUrl(client, email, [CALENDAR_READONLY], {
        include_granted_scopes: true,
      });
      const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
      expect(location.searchParams.get('scope')?.split(' ').sort()).toEqual([CALENDAR_READONLY, USERINFO_EMAIL].sort());
      const { tokens } = await client.getToken({ code: location.searchParams.get('code') ?? '', codeVerifier });
      expect(tokens.refresh_token).toBeUndefined();
      expect(tokens.scope?.split(' ').sort()).toEqual([CALENDAR_READONLY, USERINFO_EMAIL].sort());
    });
  });

  describe('consent page (autoConsent: false)', () => {
    /** Fields the browser would submit: hidden inputs, the checked radio and checkboxes. */
    function formFields(html: string, uncheck: string[] = []): URLSearchParams {
      const fields = new URLSearchParams();
      for (const [input] of html.matchAll(/<input [^>]*>/g)) {
        const attr = (name: string): string | undefined =>
          new RegExp(`${name}="([^"]*)"`)
            .exec(input)?.[1]
            ?.replace(/&amp;/g, '&')
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>');
        const type = attr('type');
        const name = attr('name');
        const value = attr('value') ?? '';
        if (!name) continue;
        if (type === 'hidden') fields.append(name, value);
        if ((type === 'radio' || type === 'checkbox') && / checked/.test(input) && !uncheck.includes(value))
          fields.append(name, value);
      }
      return fields;
    }

    async function openConsentPage(
      email: string,
    ): Promise<{ html: string; client: OAuth2Client; codeVerifier: string; state: string }> {
      sandbox.setAutoConsent(false);
      const client = newClient();
      const { url, codeVerifier, state } = await consentUrl(client, email);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      return { html: await page.text(), client, codeVerifier, state };
    }

    /** Posts the page's form as a click on Allow or Deny would. */
    async function submit(html: string, decision: 'allow' | 'deny', uncheck: string[] = []): Promise<URL> {
      const fields = formFields(html, uncheck);
      fields.set('decision', decision);
      const action = /<form [^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
      const response = await fetch(new URL(action, sandbox.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: fields.toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location') ?? '');
    }

    it('renders a Google-like page with accounts, scopes in words, Allow and Deny', async () => {
      const email = uniqueEmail('page');
      const { html } = await openConsentPage(email);
      expect(html).toContain('<title>Sign in - Google Accounts (sandbox)</title>');
      expect(html).toMatch(/<button [^>]*id="allow"[^>]*>Allow<\/button>/);
      expect(html).toMatch(/<button [^>]*id="deny"[^>]*>Deny<\/button>/);
      expect(html).toContain('<form method="POST" action="/o/oauth2/v2/auth/decision"');
      expect(html).toMatch(new RegExp(`type="radio"[^>]*value="${email}" checked`));
      expect(html).toContain('value="alice@example.com"');
      expect(html).toContain('See and download any calendar you can access using your Google Calendar');
      expect(html).toContain('View and edit events on all your calendars');
      expect(html).toContain('See your primary Google Account email address');
    });

    it('Allow redirects with a code the client can exchange', async () => {
      const email = uniqueEmail('allow');
      const { html, client, codeVerifier, state } = await openConsentPage(email);
      const location = await submit(html, 'allow');
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('state')).toBe(state);
      const { tokens } = await client.getToken({ code: location.searchParams.get('code') ?? '', codeVerifier });
      client.setCredentials(tokens);
      expect((await oauth2Api(client).userinfo.get()).data.email).toBe(email);
    });

    it('Deny redirects with error=access_denied', async () => {
      const { html, state } = await openConsentPage(uniqueEmail('page-deny'));
      const location = await submit(html, 'deny');
      expect(location.searchParams.get('error')).toBe('access_denied');
      expect(location.searchParams.get('state')).toBe(state);
      expect(location.searchParams.get('code')).toBeNull();
    });

    it('unticking a scope leaves it out of the grant', async () => {
      const { html, client, codeVerifier } = await openConsentPage(uniqueEmail('untick'));
      const location = await submit(html, 'allow', [CALENDAR_EVENTS]);
      expect(location.searchParams.get('scope')?.split(' ')).toEqual([CALENDAR_READONLY, USERINFO_EMAIL]);
      const { tokens } = await client.getToken({ code: location.searchParams.get('code') ?? '', codeVerifier });
      expect(tokens.scope).toBe(`${CALENDAR_READONLY} ${USERINFO_EMAIL}`);
    });

    it('setNextConsent also decides the next page submission', async () => {
      const { html } = await openConsentPage(uniqueEmail('override'));
      sandbox.setNextConsent({ deny: true });
      const location = await submit(html, 'allow');
      expect(location.searchParams.get('error')).toBe('access_denied');
    });
  });

  describe('Calendar v3', () => {
    it('lists the primary calendar and gets it by alias', async () => {
      const email = uniqueEmail('calendar');
      const { client } = await connect(email);
      const calendar = calendarApi(client);
      const { data } = await calendar.calendarList.list();
      expect(data.kind).toBe('calendar#calendarList');
      expect(data.items).toEqual([
        expect.objectContaining({
          kind: 'calendar#calendarListEntry',
          id: email,
          primary: true,
          timeZone: 'UTC',
          accessRole: 'owner',
        }),
      ]);
      const primary = await calendar.calendars.get({ calendarId: 'primary' });
      expect(primary.data).toMatchObject({ kind: 'calendar#calendar', id: email, timeZone: 'UTC' });
      const byId = await calendar.calendars.get({ calendarId: email });
      expect(byId.data.id).toBe(email);
      const other = await failureOf(calendar.calendars.get({ calendarId: 'someone.else@example.com' }));
      expect(other).toMatchObject({ status: 404, data: { error: { code: 404, message: 'Not Found' } } });
    });

    it('inserts, lists, answers freeBusy from, and deletes events', async () => {
      const email = uniqueEmail('events');
      const { client } = await connect(email);
      const calendar = calendarApi(client);
      const inserted = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          summary: 'Consultation',
          start: { dateTime: '2030-03-04T10:00:00+01:00' },
          end: { dateTime: '2030-03-04T11:00:00+01:00' },
          extendedProperties: { private: { bookingId: 'b-1' } },
        },
      });
      expect(inserted.status).toBe(200);
      expect(inserted.data).toMatchObject({
        kind: 'calendar#event',
        id: expect.stringMatching(/^[0-9a-v]{26}$/),
        status: 'confirmed',
        htmlLink: expect.stringMatching(/^https:\/\/www\.google\.com\/calendar\/event\?eid=/),
        summary: 'Consultation',
        organizer: { email, self: true },
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const eventId = inserted.data.id ?? '';
      // An all-day event and a transparent one: only the first is busy.
      sandbox.addCalendarEvent(email, {
        summary: 'Holiday',
        start: { date: '2030-03-05' },
        end: { date: '2030-03-06' },
      });
      sandbox.addCalendarEvent(email, {
        summary: 'Free',
        transparency: 'transparent',
        start: { dateTime: '2030-03-04T12:00:00Z' },
        end: { dateTime: '2030-03-04T13:00:00Z' },
      });
      expect(sandbox.calendarEvents(email).map((e) => e.summary)).toEqual(['Consultation', 'Holiday', 'Free']);

      const listed = await calendar.events.list({
        calendarId: 'primary',
        timeMin: '2030-03-04T00:00:00Z',
        timeMax: '2030-03-05T00:00:00Z',
        singleEvents: true,
        orderBy: 'startTime',
        maxResults: 10,
      });
      expect(listed.data.kind).toBe('calendar#events');
      expect(listed.data.items?.map((e) => e.summary)).toEqual(['Consultation', 'Free']);
      const byProperty = await calendar.events.list({ calendarId: email, privateExtendedProperty: ['bookingId=b-1'] });
      expect(byProperty.data.items?.map((e) => e.id)).toEqual([eventId]);

      const busy = await calendar.freebusy.query({
        requestBody: {
          timeMin: '2030-03-04T00:00:00Z',
          timeMax: '2030-03-06T12:00:00Z',
          items: [{ id: 'primary' }, { id: email }],
        },
      });
      const expectedBusy = [
        { start: '2030-03-04T09:00:00Z', end: '2030-03-04T10:00:00Z' },
        { start: '2030-03-05T00:00:00Z', end: '2030-03-06T00:00:00Z' },
      ];
      expect(busy.data).toEqual({
        kind: 'calendar#freeBusy',
        timeMin: '2030-03-04T00:00:00.000Z',
        timeMax: '2030-03-06T12:00:00.000Z',
        calendars: { primary: { busy: expectedBusy }, [email]: { busy: expectedBusy } },
      });
      expect(sandbox.requests.filter((r) => r.path === '/calendar/v3/freeBusy').at(-1)?.json).toMatchObject({
        items: [{ id: 'primary' }, { id: email }],
      });

      const deleted = await calendar.events.delete({ calendarId: 'primary', eventId });
      expect(deleted.status).toBe(204);
      expect(sandbox.calendarEvents(email).map((e) => e.id)).not.toContain(eventId);
      const again = await failureOf(calendar.events.delete({ calendarId: 'primary', eventId }));
      expect(again.status).toBe(410);
      const afterDelete = await calendar.freebusy.query({
        requestBody: { timeMin: '2030-03-04T00:00:00Z', timeMax: '2030-03-05T00:00:00Z', items: [{ id: 'primary' }] },
      });
      expect(afterDelete.data.calendars?.['primary']?.busy).toEqual([]);
    });

    it('validates event times like Google', async () => {
      const { client } = await connect(uniqueEmail('invalid'));
      const noEnd = await failureOf(
        calendarApi(client).events.insert({
          calendarId: 'primary',
          requestBody: { start: { dateTime: '2030-01-01T10:00:00Z' } },
        }),
      );
      expect(noEnd).toMatchObject({ status: 400, data: { error: { code: 400, message: 'Missing end time.' } } });
      const backwards = await failureOf(
        calendarApi(client).events.insert({
          calendarId: 'primary',
          requestBody: { start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T09:00:00Z' } },
        }),
      );
      expect(backwards).toMatchObject({
        status: 400,
        data: { error: { message: 'The specified time range is empty.' } },
      });
    });

    it('drops any path of rootUrl (googleapis resolves /calendar/v3/... against its origin)', async () => {
      const { client } = await connect(uniqueEmail('rooturl'));
      const withPath = calendarV3({ version: 'v3', rootUrl: `${sandbox.baseUrl}some/prefix/`, auth: client });
      const { data } = await withPath.calendarList.list();
      expect(data.items).toHaveLength(1);
      expect(sandbox.requests.at(-1)?.path).toBe('/calendar/v3/users/me/calendarList');
    });

    it('answers unknown routes with a Google 404', async () => {
      const response = await fetch(`${sandbox.baseUrl}calendar/v3/nothing/here`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
    });
  });

  /** A connected account and a googleapis Calendar client on it. */
  async function calendarAccount(name: string): Promise<{ email: string; calendar: calendar_v3.Calendar }> {
    const email = uniqueEmail(name);
    const { client } = await connect(email);
    return { email, calendar: calendarApi(client) };
  }

  const timed = (start: string, end: string): { start: { dateTime: string }; end: { dateTime: string } } => ({
    start: { dateTime: start },
    end: { dateTime: end },
  });

  describe('Calendar v3: secondary calendars', () => {
    it('addCalendar adds calendars that calendarList pages through, the primary first', async () => {
      const { email, calendar } = await calendarAccount('secondary');
      const team = sandbox.addCalendar(email, { summary: 'Team', description: 'Our team', timeZone: 'Europe/Berlin' });
      expect(team).toMatch(/^c_[0-9a-f]{64}@group\.calendar\.google\.com$/);
      const colleague = sandbox.addCalendar(email, {
        id: 'colleague@example.com',
        summary: 'Colleague',
        accessRole: 'reader',
      });
      expect(colleague).toBe('colleague@example.com');
      sandbox.addCalendar(email, { id: 'busy-only@example.com', summary: 'Busy only', accessRole: 'freeBusyReader' });
      expect(() => sandbox.addCalendar(email, { id: team, summary: 'Again' })).toThrow(/already has a calendar/);
      expect(() => sandbox.addCalendar(email, { id: 'primary', summary: 'Primary?' })).toThrow(/invalid calendar id/);
      expect(() => sandbox.addCalendar(email, { summary: 'Nowhere', timeZone: 'Mars/Olympus' })).toThrow(/time zone/);

      const first = await calendar.calendarList.list({ maxResults: 2 });
      expect(first.data.items?.map((c) => [c.id, c.primary, c.accessRole])).toEqual([
        [email, true, 'owner'],
        [team, undefined, 'owner'],
      ]);
      expect(first.data.items?.[1]).toMatchObject({
        kind: 'calendar#calendarListEntry',
        summary: 'Team',
        description: 'Our team',
        timeZone: 'Europe/Berlin',
        dataOwner: email,
        defaultReminders: [],
        conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
      });
      expect(first.data.nextPageToken).toEqual(expect.any(String));
      expect(first.data.nextSyncToken).toBeUndefined();
      const second = await calendar.calendarList.list({ maxResults: 2, pageToken: first.data.nextPageToken ?? '' });
      expect(second.data.items?.map((c) => [c.id, c.accessRole])).toEqual([
        [colleague, 'reader'],
        ['busy-only@example.com', 'freeBusyReader'],
      ]);
      expect(second.data.nextPageToken).toBeUndefined();
      expect(second.data.nextSyncToken).toEqual(expect.any(String));
      // Without maxResults: Google's page of 100 holds them all.
      expect((await calendar.calendarList.list()).data.items).toHaveLength(4);
      const writable = await calendar.calendarList.list({ minAccessRole: 'writer' });
      expect(writable.data.items?.map((c) => c.id)).toEqual([email, team]);

      const got = await calendar.calendars.get({ calendarId: team });
      expect(got.data).toMatchObject({
        kind: 'calendar#calendar',
        id: team,
        summary: 'Team',
        timeZone: 'Europe/Berlin',
      });
      const entry = await calendar.calendarList.get({ calendarId: colleague });
      expect(entry.data).toMatchObject({ id: colleague, summary: 'Colleague', accessRole: 'reader' });
      expect(entry.data.primary).toBeUndefined();
    });

    it('keeps events per calendar; an unknown calendar answers 404 notFound to every call', async () => {
      const { email, calendar } = await calendarAccount('per-calendar');
      const team = sandbox.addCalendar(email, { summary: 'Team' });
      const inserted = await calendar.events.insert({
        calendarId: team,
        requestBody: { summary: 'Standup', ...timed('2030-05-06T09:00:00Z', '2030-05-06T09:15:00Z') },
      });
      const eventId = inserted.data.id ?? '';
      expect(inserted.data.organizer).toEqual({ email: team, displayName: 'Team', self: true });
      expect(inserted.data.creator).toEqual({ email, self: true });
      expect(sandbox.calendarEvents(email, team).map((e) => e.id)).toEqual([eventId]);
      expect(sandbox.calendarEvents(email)).toEqual([]);
      expect((await calendar.events.list({ calendarId: 'primary' })).data.items).toEqual([]);
      const listed = await calendar.events.list({ calendarId: team });
      expect(listed.data).toMatchObject({
        summary: 'Team',
        accessRole: 'owner',
        timeZone: 'UTC',
        defaultReminders: [],
      });
      expect(listed.data.items?.map((e) => e.id)).toEqual([eventId]);
      expect((await calendar.events.get({ calendarId: team, eventId })).data.summary).toBe('Standup');
      expect((await failureOf(calendar.events.get({ calendarId: 'primary', eventId }))).status).toBe(404);

      sandbox.addCalendarEvent(
        email,
        { summary: 'Seeded', ...timed('2030-05-06T10:00:00Z', '2030-05-06T11:00:00Z') },
        team,
      );
      expect(sandbox.calendarEvents(email, team).map((e) => e.summary)).toEqual(['Standup', 'Seeded']);
      expect(() => sandbox.calendarEvents(email, 'nope@group.calendar.google.com')).toThrow(/no calendar/);
      expect(() =>
        sandbox.addCalendarEvent(email, timed('2030-05-06T10:00:00Z', '2030-05-06T11:00:00Z'), 'nope@example.com'),
      ).toThrow(/no calendar/);

      const unknown = 'unknown@group.calendar.google.com';
      const notFound = { status: 404, data: { error: { code: 404, errors: [{ reason: 'notFound' }] } } };
      const body = timed('2030-05-06T10:00:00Z', '2030-05-06T11:00:00Z');
      expect(await failureOf(calendar.events.list({ calendarId: unknown }))).toMatchObject(notFound);
      expect(await failureOf(calendar.events.insert({ calendarId: unknown, requestBody: body }))).toMatchObject(
        notFound,
      );
      expect(await failureOf(calendar.events.get({ calendarId: unknown, eventId }))).toMatchObject(notFound);
      expect(
        await failureOf(calendar.events.patch({ calendarId: unknown, eventId, requestBody: { summary: 'x' } })),
      ).toMatchObject(notFound);
      expect(await failureOf(calendar.events.delete({ calendarId: unknown, eventId }))).toMatchObject(notFound);
      expect(await failureOf(calendar.calendars.get({ calendarId: unknown }))).toMatchObject(notFound);
      expect(await failureOf(calendar.calendarList.get({ calendarId: unknown }))).toMatchObject(notFound);

      sandbox.removeCalendar(email, team);
      expect(await failureOf(calendar.events.list({ calendarId: team }))).toMatchObject(notFound);
      expect(() => sandbox.removeCalendar(email, 'primary')).toThrow(/primary/);
      expect(() => sandbox.removeCalendar(email, team)).toThrow(/no calendar/);
    });

    it('reader calendars refuse writes and freeBusyReader calendars event reads (403 requiredAccessLevel)', async () => {
      const { email, calendar } = await calendarAccount('roles');
      const reader = sandbox.addCalendar(email, { id: 'reader@example.com', summary: 'Reader', accessRole: 'reader' });
      const busyOnly = sandbox.addCalendar(email, {
        id: 'fb@example.com',
        summary: 'FB',
        accessRole: 'freeBusyReader',
      });
      sandbox.addCalendarEvent(email, timed('2030-05-06T10:00:00Z', '2030-05-06T11:00:00Z'), reader);
      const hidden = sandbox.addCalendarEvent(email, timed('2030-05-06T12:00:00Z', '2030-05-06T13:00:00Z'), busyOnly);

      expect((await calendar.events.list({ calendarId: reader })).data.items).toHaveLength(1);
      const write = await failureOf(
        calendar.events.insert({
          calendarId: reader,
          requestBody: timed('2030-05-07T10:00:00Z', '2030-05-07T11:00:00Z'),
        }),
      );
      expect(write).toMatchObject({
        status: 403,
        data: {
          error: {
            code: 403,
            message: 'You need to have writer access to this calendar.',
            errors: [{ domain: 'global', reason: 'requiredAccessLevel' }],
            status: 'PERMISSION_DENIED',
          },
        },
      });
      const read = await failureOf(calendar.events.get({ calendarId: busyOnly, eventId: hidden.id }));
      expect(read).toMatchObject({
        status: 403,
        data: { error: { message: 'You need to have reader access to this calendar.' } },
      });
      const busy = await calendar.freebusy.query({
        requestBody: {
          timeMin: '2030-05-06T00:00:00Z',
          timeMax: '2030-05-07T00:00:00Z',
          items: [{ id: reader }, { id: busyOnly }],
        },
      });
      expect(busy.data.calendars).toEqual({
        [reader]: { busy: [{ start: '2030-05-06T10:00:00Z', end: '2030-05-06T11:00:00Z' }] },
        [busyOnly]: { busy: [{ start: '2030-05-06T12:00:00Z', end: '2030-05-06T13:00:00Z' }] },
      });
    });

    it('freeBusy answers each calendar, notFound beside the others, all-day events in the calendar zone', async () => {
      const { email, calendar } = await calendarAccount('freebusy-many');
      const newYork = sandbox.addCalendar(email, { summary: 'New York', timeZone: 'America/New_York' });
      sandbox.addCalendarEvent(email, timed('2030-05-06T09:00:00Z', '2030-05-06T10:00:00Z'));
      sandbox.addCalendarEvent(email, timed('2030-05-06T09:30:00Z', '2030-05-06T11:00:00Z'), newYork);
      sandbox.addCalendarEvent(
        email,
        { summary: 'Off', start: { date: '2030-05-07' }, end: { date: '2030-05-08' } },
        newYork,
      );
      sandbox.addCalendarEvent(
        email,
        {
          summary: 'Birthday',
          transparency: 'transparent',
          start: { date: '2030-05-08' },
          end: { date: '2030-05-09' },
        },
        newYork,
      );
      const missing = 'missing@group.calendar.google.com';
      const { data } = await calendar.freebusy.query({
        requestBody: {
          timeMin: '2030-05-06T00:00:00Z',
          timeMax: '2030-05-09T00:00:00Z',
          items: [{ id: 'primary' }, { id: newYork }, { id: missing }],
        },
      });
      expect(data.calendars).toEqual({
        primary: { busy: [{ start: '2030-05-06T09:00:00Z', end: '2030-05-06T10:00:00Z' }] },
        // New York is on EDT (UTC-4) in May: its all-day event runs 04:00Z to 04:00Z.
        [newYork]: {
          busy: [
            { start: '2030-05-06T09:30:00Z', end: '2030-05-06T11:00:00Z' },
            { start: '2030-05-07T04:00:00Z', end: '2030-05-08T04:00:00Z' },
          ],
        },
        [missing]: { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] },
      });

      // With timeZone, busy times are written in that zone (timeMin/timeMax stay UTC).
      const zoned = await calendar.freebusy.query({
        requestBody: {
          timeMin: '2030-05-06T00:00:00Z',
          timeMax: '2030-05-07T00:00:00Z',
          timeZone: 'Europe/Berlin',
          items: [{ id: email }],
        },
      });
      expect(zoned.data).toMatchObject({
        timeMin: '2030-05-06T00:00:00.000Z',
        calendars: { [email]: { busy: [{ start: '2030-05-06T11:00:00+02:00', end: '2030-05-06T12:00:00+02:00' }] } },
      });
    });

    it('freeBusy answers at most 50 calendars (or calendarExpansionMax): the rest get tooManyCalendarsRequested', async () => {
      const { email, calendar } = await calendarAccount('freebusy-limit');
      const range = { timeMin: '2030-05-06T00:00:00Z', timeMax: '2030-05-07T00:00:00Z' };
      const items = Array.from({ length: 52 }, (_, i) => ({ id: i === 0 ? 'primary' : `cal-${i}@example.com` }));
      const { data } = await calendar.freebusy.query({ requestBody: { ...range, items } });
      const tooMany = { errors: [{ domain: 'global', reason: 'tooManyCalendarsRequested' }], busy: [] };
      expect(Object.keys(data.calendars ?? {})).toHaveLength(52);
      expect(data.calendars?.['primary']).toEqual({ busy: [] });
      expect(data.calendars?.['cal-49@example.com']).toEqual({
        errors: [{ domain: 'global', reason: 'notFound' }],
        busy: [],
      });
      expect(data.calendars?.['cal-50@example.com']).toEqual(tooMany);
      expect(data.calendars?.['cal-51@example.com']).toEqual(tooMany);

      const limited = await calendar.freebusy.query({
        requestBody: { ...range, calendarExpansionMax: 1, items: [{ id: 'primary' }, { id: email }] },
      });
      expect(limited.data.calendars).toEqual({ primary: { busy: [] }, [email]: tooMany });
      const refused = await failureOf(
        calendar.freebusy.query({ requestBody: { ...range, calendarExpansionMax: 51, items } }),
      );
      expect(refused).toMatchObject({ status: 400, data: { error: { code: 400, errors: [{ reason: 'invalid' }] } } });
    });
  });

  describe('Calendar v3: recurring events', () => {
    const december = { timeMin: '2030-12-01T00:00:00Z', timeMax: '2031-01-01T00:00:00Z' };

    it('a weekly series is listed as itself, and as its instances with singleEvents', async () => {
      const { email, calendar } = await calendarAccount('weekly');
      const { data: series } = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          summary: 'Clinic',
          start: { dateTime: '2030-12-02T10:00:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2030-12-02T11:00:00', timeZone: 'Europe/Berlin' },
          recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4'],
        },
      });
      const id = series.id ?? '';
      expect(series.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4']);

      const plain = await calendar.events.list({ calendarId: 'primary', ...december });
      expect(plain.data.items?.map((e) => e.id)).toEqual([id]);
      // Without singleEvents the series is listed when one of its instances overlaps the window.
      const listedIn = async (timeMin: string, timeMax: string) =>
        (await calendar.events.list({ calendarId: 'primary', timeMin, timeMax })).data.items?.map((e) => e.id);
      expect(await listedIn('2030-12-09T00:00:00Z', '2030-12-10T00:00:00Z')).toEqual([id]);
      expect(await listedIn('2030-12-12T00:00:00Z', '2031-01-01T00:00:00Z')).toEqual([]);
      const single = await calendar.events.list({
        calendarId: 'primary',
        ...december,
        singleEvents: true,
        orderBy: 'startTime',
      });
      expect(single.data.items?.map((e) => e.id)).toEqual([
        `${id}_20301202T090000Z`,
        `${id}_20301204T090000Z`,
        `${id}_20301209T090000Z`,
        `${id}_20301211T090000Z`,
      ]);
      const instance = single.data.items?.[0];
      expect(instance).toMatchObject({
        kind: 'calendar#event',
        status: 'confirmed',
        summary: 'Clinic',
        recurringEventId: id,
        iCalUID: series.iCalUID,
        start: { dateTime: '2030-12-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2030-12-02T11:00:00+01:00', timeZone: 'Europe/Berlin' },
        originalStartTime: { dateTime: '2030-12-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
      });
      expect(instance?.recurrence).toBeUndefined();

      // Overlap, as Google filters: ends after timeMin, starts before timeMax.
      const overlap = await calendar.events.list({
        calendarId: 'primary',
        singleEvents: true,
        timeMin: '2030-12-04T09:30:00Z',
        timeMax: '2030-12-11T09:00:00Z',
      });
      expect(overlap.data.items?.map((e) => e.id)).toEqual([`${id}_20301204T090000Z`, `${id}_20301209T090000Z`]);

      const got = await calendar.events.get({ calendarId: 'primary', eventId: `${id}_20301209T090000Z` });
      expect(got.data).toMatchObject({ recurringEventId: id, start: { dateTime: '2030-12-09T10:00:00+01:00' } });
      const noSuchInstance = await failureOf(
        calendar.events.get({ calendarId: 'primary', eventId: `${id}_20301203T090000Z` }),
      );
      expect(noSuchInstance.status).toBe(404);

      // Google holds one event, the series; freeBusy counts every instance.
      expect(sandbox.calendarEvents(email).map((e) => e.id)).toEqual([id]);
      const busy = await calendar.freebusy.query({ requestBody: { ...december, items: [{ id: 'primary' }] } });
      expect(busy.data.calendars?.['primary']?.busy).toEqual(
        ['02', '04', '09', '11'].map((day) => ({ start: `2030-12-${day}T09:00:00Z`, end: `2030-12-${day}T10:00:00Z` })),
      );
    });

    it('instances keep their wall-clock time across daylight saving; INTERVAL, UNTIL and daily all-day series', async () => {
      const { email, calendar } = await calendarAccount('rules');
      const insert = async (requestBody: calendar_v3.Schema$Event): Promise<string> =>
        (await calendar.events.insert({ calendarId: 'primary', requestBody })).data.id ?? '';
      const dst = await insert({
        start: { dateTime: '2031-03-24T10:00:00+01:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2031-03-24T10:30:00+01:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
      });
      const biweekly = await insert({
        start: { dateTime: '2030-12-03T15:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-12-03T16:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20310128T150000Z'],
      });
      const allDay = await insert({
        start: { date: '2030-12-01' },
        end: { date: '2030-12-02' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      });
      const { data } = await calendar.events.list({
        calendarId: 'primary',
        singleEvents: true,
        orderBy: 'startTime',
        timeMin: '2030-11-01T00:00:00Z',
        timeMax: '2031-06-01T00:00:00Z',
      });
      const of = (seriesId: string) =>
        (data.items ?? [])
          .filter((e) => e.recurringEventId === seriesId)
          .map((e) => [e.id, e.start?.dateTime ?? e.start?.date, e.end?.dateTime ?? e.end?.date]);
      expect(of(dst)).toEqual([
        [`${dst}_20310324T090000Z`, '2031-03-24T10:00:00+01:00', '2031-03-24T10:30:00+01:00'],
        [`${dst}_20310331T080000Z`, '2031-03-31T10:00:00+02:00', '2031-03-31T10:30:00+02:00'],
      ]);
      expect(of(biweekly).map(([id]) => id)).toEqual(
        ['20301203', '20301217', '20301231', '20310114', '20310128'].map((day) => `${biweekly}_${day}T150000Z`),
      );
      expect(of(allDay)).toEqual([
        [`${allDay}_20301201`, '2030-12-01', '2030-12-02'],
        [`${allDay}_20301202`, '2030-12-02', '2030-12-03'],
        [`${allDay}_20301203`, '2030-12-03', '2030-12-04'],
      ]);
      expect(data.items).toHaveLength(10);

      // All-day instances last from midnight to midnight in the calendar's zone (EST: 05:00Z).
      const newYork = sandbox.addCalendar(email, { summary: 'NY', timeZone: 'America/New_York' });
      const holidays = await calendar.events.insert({
        calendarId: newYork,
        requestBody: {
          start: { date: '2030-12-01' },
          end: { date: '2030-12-02' },
          recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
        },
      });
      const lateOnDecember1 = await calendar.events.list({
        calendarId: newYork,
        singleEvents: true,
        timeMin: '2030-12-02T03:00:00Z',
        timeMax: '2030-12-02T04:00:00Z',
      });
      expect(lateOnDecember1.data.items?.map((e) => e.id)).toEqual([`${holidays.data.id}_20301201`]);
      const busy = await calendar.freebusy.query({
        requestBody: { timeMin: '2030-11-30T00:00:00Z', timeMax: '2030-12-05T00:00:00Z', items: [{ id: newYork }] },
      });
      expect(busy.data.calendars?.[newYork]?.busy).toEqual([
        { start: '2030-12-01T05:00:00Z', end: '2030-12-03T05:00:00Z' },
      ]);
    });

    it('a cancelled instance leaves singleEvents listings (unless showDeleted) and freeBusy; a moved one keeps originalStartTime', async () => {
      const { email, calendar } = await calendarAccount('exceptions');
      const { data: series } = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          start: { dateTime: '2030-12-02T10:00:00Z', timeZone: 'UTC' },
          end: { dateTime: '2030-12-02T11:00:00Z', timeZone: 'UTC' },
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
        },
      });
      const id = series.id ?? '';
      const [first, second, third] = ['20301202', '20301209', '20301216'].map((day) => `${id}_${day}T100000Z`);
      const instances = async (extra: calendar_v3.Params$Resource$Events$List = {}) =>
        (await calendar.events.list({ calendarId: 'primary', ...december, singleEvents: true, ...extra })).data.items ??
        [];

      expect((await calendar.events.delete({ calendarId: 'primary', eventId: second })).status).toBe(204);
      expect((await instances()).map((e) => e.id)).toEqual([first, third]);
      expect((await instances({ showDeleted: true })).map((e) => [e.id, e.status])).toEqual([
        [first, 'confirmed'],
        [second, 'cancelled'],
        [third, 'confirmed'],
      ]);
      expect((await calendar.events.get({ calendarId: 'primary', eventId: second })).data.status).toBe('cancelled');
      expect((await failureOf(calendar.events.delete({ calendarId: 'primary', eventId: second }))).status).toBe(410);
      // Without singleEvents Google lists the series and its cancelled instance.
      const plain = await calendar.events.list({ calendarId: 'primary', ...december });
      expect(plain.data.items?.map((e) => [e.id, e.status])).toEqual([
        [id, 'confirmed'],
        [second, 'cancelled'],
      ]);

      await calendar.events.patch({ calendarId: 'primary', eventId: third, requestBody: { status: 'cancelled' } });
      expect((await instances()).map((e) => e.id)).toEqual([first]);

      const moved = await calendar.events.patch({
        calendarId: 'primary',
        eventId: first,
        requestBody: timed('2030-12-02T14:00:00Z', '2030-12-02T15:00:00Z'),
      });
      expect(moved.data).toMatchObject({
        id: first,
        recurringEventId: id,
        originalStartTime: { dateTime: '2030-12-02T10:00:00Z', timeZone: 'UTC' },
        start: { dateTime: '2030-12-02T14:00:00Z' },
      });
      expect((await instances()).map((e) => [e.id, e.start?.dateTime])).toEqual([[first, '2030-12-02T14:00:00Z']]);
      const busy = await calendar.freebusy.query({ requestBody: { ...december, items: [{ id: 'primary' }] } });
      expect(busy.data.calendars?.['primary']?.busy).toEqual([
        { start: '2030-12-02T14:00:00Z', end: '2030-12-02T15:00:00Z' },
      ]);
      // Google holds the series and the moved instance; the cancelled ones only with showDeleted.
      expect(sandbox.calendarEvents(email).map((e) => e.id)).toEqual([id, first]);
      expect(sandbox.calendarEvents(email, 'primary', { showDeleted: true }).map((e) => e.id)).toEqual([
        id,
        second,
        third,
        first,
      ]);
    });

    it('events.instances lists one series in start order, its changed instances as stored, cancelled ones only with showDeleted', async () => {
      const { email, calendar } = await calendarAccount('instances');
      const weekly = (summary: string, hour: string) =>
        sandbox.addCalendarEvent(email, {
          summary,
          start: { dateTime: `2030-12-02T${hour}:00:00Z`, timeZone: 'UTC' },
          end: { dateTime: `2030-12-02T${hour}:30:00Z`, timeZone: 'UTC' },
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
        }).id;
      const id = weekly('Clinic', '10');
      weekly('Other series', '12');
      const single = sandbox.addCalendarEvent(email, {
        summary: 'Once',
        ...timed('2030-12-03T10:00:00Z', '2030-12-03T11:00:00Z'),
      }).id;
      const [first, second, third, fourth] = ['02', '09', '16', '23'].map((day) => `${id}_203012${day}T100000Z`);
      sandbox.patchCalendarEvent(email, second ?? '', timed('2030-12-09T14:00:00Z', '2030-12-09T14:30:00Z'));
      sandbox.deleteCalendarEvent(email, third ?? '');
      const instances = (params: Omit<calendar_v3.Params$Resource$Events$Instances, 'calendarId'> = {}) =>
        calendar.events.instances({ calendarId: 'primary', eventId: id, ...params });

      const all = await instances();
      expect(all.data).toMatchObject({ kind: 'calendar#events', summary: email, timeZone: 'UTC', accessRole: 'owner' });
      expect(all.data.nextSyncToken).toBeUndefined();
      expect(all.data.nextPageToken).toBeUndefined();
      expect(all.data.items?.map((e) => [e.id, e.start?.dateTime, e.recurringEventId, e.summary])).toEqual([
        [first, '2030-12-02T10:00:00Z', id, 'Clinic'],
        [second, '2030-12-09T14:00:00Z', id, 'Clinic'],
        [fourth, '2030-12-23T10:00:00Z', id, 'Clinic'],
      ]);
      expect(all.data.items?.[1]?.originalStartTime).toEqual({ dateTime: '2030-12-09T10:00:00Z', timeZone: 'UTC' });
      // The cancelled one only with showDeleted, and as events.list gives it.
      expect((await instances({ showDeleted: true })).data.items?.[2]).toEqual({
        kind: 'calendar#event',
        etag: expect.any(String),
        id: third,
        status: 'cancelled',
        recurringEventId: id,
        originalStartTime: { dateTime: '2030-12-16T10:00:00Z', timeZone: 'UTC' },
      });
      const ids = async (params: Omit<calendar_v3.Params$Resource$Events$Instances, 'calendarId'>) =>
        (await instances(params)).data.items?.map((e) => e.id);
      // The window by overlap, as events.list; originalStart picks one instance.
      expect(
        await ids({ timeMin: '2030-12-09T14:15:00Z', timeMax: '2030-12-23T10:00:00Z', showDeleted: true }),
      ).toEqual([second, third]);
      expect(await ids({ originalStart: '2030-12-09T10:00:00Z' })).toEqual([second]);
      expect(await ids({ originalStart: '2030-12-09T11:00:00+01:00' })).toEqual([second]);
      const page = await instances({ maxResults: 2 });
      expect(page.data.items?.map((e) => e.id)).toEqual([first, second]);
      expect(await ids({ maxResults: 2, pageToken: page.data.nextPageToken ?? '' })).toEqual([fourth]);
      // An event that is not a series is its own only instance.
      expect(await ids({ eventId: single })).toEqual([single]);

      const notFound = { status: 404, data: { error: { errors: [{ reason: 'notFound' }] } } };
      expect(await failureOf(instances({ eventId: 'nosuchevent000' }))).toMatchObject(notFound);
      expect(
        await failureOf(instances({ timeMin: '2030-12-09T00:00:00Z', timeMax: '2030-12-09T00:00:00Z' })),
      ).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'timeRangeEmpty' }] } } });
      expect(await failureOf(instances({ maxResults: 0 }))).toMatchObject({ status: 400 });

      // A deleted series has no instances left; with showDeleted they come cancelled and bare.
      sandbox.deleteCalendarEvent(email, id);
      expect(await ids({})).toEqual([]);
      const gone = (await instances({ showDeleted: true })).data.items ?? [];
      expect(gone.map((e) => [e.id, e.status, e.summary])).toEqual(
        [first, second, third, fourth].map((instance) => [instance, 'cancelled', undefined]),
      );
    });

    it('deleting the series cancels every instance; rules Google refuses answer 400', async () => {
      const { email, calendar } = await calendarAccount('series-delete');
      const { data: series } = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          start: { dateTime: '2030-12-02T10:00:00Z', timeZone: 'UTC' },
          end: { dateTime: '2030-12-02T11:00:00Z', timeZone: 'UTC' },
          recurrence: ['RRULE:FREQ=DAILY'],
        },
      });
      const id = series.id ?? '';
      await calendar.events.patch({
        calendarId: 'primary',
        eventId: `${id}_20301203T100000Z`,
        requestBody: { summary: 'Changed' },
      });
      // An endless series: the window bounds the expansion.
      const before = await calendar.events.list({ calendarId: 'primary', ...december, singleEvents: true });
      expect(before.data.items).toHaveLength(30);
      expect(before.data.items?.find((e) => e.id === `${id}_20301203T100000Z`)?.summary).toBe('Changed');

      await calendar.events.delete({ calendarId: 'primary', eventId: id });
      expect(
        (await calendar.events.list({ calendarId: 'primary', ...december, singleEvents: true })).data.items,
      ).toEqual([]);
      const busy = await calendar.freebusy.query({ requestBody: { ...december, items: [{ id: 'primary' }] } });
      expect(busy.data.calendars?.['primary']?.busy).toEqual([]);
      expect((await calendar.events.get({ calendarId: 'primary', eventId: id })).data.status).toBe('cancelled');
      expect(sandbox.calendarEvents(email)).toEqual([]);

      const refused = async (requestBody: calendar_v3.Schema$Event) =>
        failureOf(calendar.events.insert({ calendarId: 'primary', requestBody }));
      const zoned = {
        start: { dateTime: '2030-12-02T10:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-12-02T11:00:00Z', timeZone: 'UTC' },
      };
      for (const recurrence of [
        ['RRULE:FREQ=SOMETIMES'],
        ['EVERY MONDAY'],
        ['RRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20311231'],
      ]) {
        expect(await refused({ ...zoned, recurrence })).toMatchObject({
          status: 400,
          data: { error: { message: 'Invalid recurrence rule.', errors: [{ reason: 'invalid' }] } },
        });
      }
      expect(
        await refused({ ...timed('2030-12-02T10:00:00Z', '2030-12-02T11:00:00Z'), recurrence: ['RRULE:FREQ=DAILY'] }),
      ).toMatchObject({ status: 400, data: { error: { message: 'Missing time zone definition for start time.' } } });
      expect(sandbox.calendarEvents(email)).toEqual([]);
    });
  });

  describe('Calendar v3: attendees, invitations and extended properties', () => {
    const hour = timed('2030-12-05T10:00:00Z', '2030-12-05T11:00:00Z');

    it('a patch merges extendedProperties per key (null removes one); an update replaces them', async () => {
      const { calendar } = await calendarAccount('props');
      const { data: inserted } = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          ...hour,
          extendedProperties: { private: { bookingId: 'b-1', stage: 'new' }, shared: { source: 'app' } },
        },
      });
      const eventId = inserted.id ?? '';
      const { data: patched } = await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        // googleapis types values as strings; Google takes null to remove a key.
        requestBody: { extendedProperties: { private: { stage: null as unknown as string, room: 'A' } } },
      });
      expect(patched.extendedProperties).toEqual({
        private: { bookingId: 'b-1', room: 'A' },
        shared: { source: 'app' },
      });
      const withProperty = async (filter: string) =>
        (await calendar.events.list({ calendarId: 'primary', privateExtendedProperty: [filter] })).data.items?.map(
          (e) => e.id,
        );
      expect(await withProperty('stage=new')).toEqual([]);
      expect(await withProperty('room=A')).toEqual([eventId]);
      // Repeated filters must all match.
      const both = await calendar.events.list({
        calendarId: 'primary',
        privateExtendedProperty: ['room=A', 'bookingId=b-1'],
      });
      expect(both.data.items?.map((e) => e.id)).toEqual([eventId]);
      const notBoth = await calendar.events.list({
        calendarId: 'primary',
        privateExtendedProperty: ['room=A', 'bookingId=b-2'],
      });
      expect(notBoth.data.items).toEqual([]);

      const { data: replaced } = await calendar.events.update({
        calendarId: 'primary',
        eventId,
        requestBody: { ...hour, extendedProperties: { private: { only: 'this' } } },
      });
      expect(replaced.extendedProperties).toEqual({ private: { only: 'this' } });
    });

    it('attendees carry responseStatus (needsAction, the organizer accepted) and self on the account’s own entry', async () => {
      const { email, calendar } = await calendarAccount('attendees');
      const { data: inserted } = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: {
          ...hour,
          attendees: [
            // Read-only fields a client sends are Google's to set.
            { email: 'guest@example.com', self: true, organizer: true },
            { email: email.toUpperCase(), optional: true },
            { email: 'tentative@example.com', responseStatus: 'tentative' },
          ],
        },
      });
      expect(inserted.organizer).toEqual({ email, self: true });
      expect(inserted.attendees).toEqual([
        { email: 'guest@example.com', responseStatus: 'needsAction' },
        { email: email.toUpperCase(), optional: true, organizer: true, self: true, responseStatus: 'accepted' },
        { email: 'tentative@example.com', responseStatus: 'tentative' },
      ]);
      // The organizer may set any entry's answer.
      const { data: patched } = await calendar.events.patch({
        calendarId: 'primary',
        eventId: inserted.id ?? '',
        requestBody: { attendees: [{ email: 'guest@example.com', responseStatus: 'declined' }] },
      });
      expect(patched.attendees).toEqual([{ email: 'guest@example.com', responseStatus: 'declined' }]);
    });

    it('addInvitation seeds an event someone else organizes; the account answers only its own entry', async () => {
      const { email, calendar } = await calendarAccount('invited');
      const seeded = sandbox.addInvitation(email, {
        summary: 'Their meeting',
        ...hour,
        organizer: { email: 'boss@example.com', displayName: 'The Boss' },
        attendees: [{ email: 'boss@example.com' }, { email: 'colleague@example.com' }],
      });
      const expectedAttendees = (own: object) => [
        { email: 'boss@example.com', organizer: true, responseStatus: 'accepted' },
        { email: 'colleague@example.com', responseStatus: 'needsAction' },
        { email, self: true, responseStatus: 'needsAction', ...own },
      ];
      expect(seeded).toMatchObject({
        organizer: { email: 'boss@example.com', displayName: 'The Boss' },
        creator: { email: 'boss@example.com' },
        attendees: expectedAttendees({}),
      });
      expect(seeded.organizer.self).toBeUndefined();
      const { data: read } = await calendar.events.get({ calendarId: 'primary', eventId: seeded.id });
      expect(read.attendees).toEqual(expectedAttendees({}));

      const { data: answered } = await calendar.events.patch({
        calendarId: 'primary',
        eventId: seeded.id,
        requestBody: {
          attendees: [
            { email: 'boss@example.com', responseStatus: 'declined' },
            { email: 'colleague@example.com', responseStatus: 'accepted' },
            { email, responseStatus: 'accepted', comment: 'See you there' },
          ],
        },
      });
      // Only the account's own answer changes: the others are not the attendee's to set.
      expect(answered.attendees).toEqual(expectedAttendees({ responseStatus: 'accepted', comment: 'See you there' }));

      // An invitation already naming the account keeps its one entry.
      const named = sandbox.addInvitation(email, {
        ...hour,
        organizer: { email: 'boss@example.com' },
        attendees: [{ email, optional: true }],
      });
      expect(named.attendees).toEqual([{ email, optional: true, self: true, responseStatus: 'needsAction' }]);
      expect(named.organizer).toEqual({ email: 'boss@example.com' });
    });
  });

  describe('Calendar v3: events.list, Meet, sendUpdates, deleted ids', () => {
    it('events.list pages with maxResults and pageToken, and leaves cancelled events out unless showDeleted', async () => {
      const { email, calendar } = await calendarAccount('paging');
      const seeded = [1, 2, 3, 4, 5].map(
        (day) => sandbox.addCalendarEvent(email, timed(`2030-06-0${day}T10:00:00Z`, `2030-06-0${day}T11:00:00Z`)).id,
      );
      const series = sandbox.addCalendarEvent(email, {
        start: { dateTime: '2030-06-10T08:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-06-10T09:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      }).id;
      const june = { calendarId: 'primary', timeMin: '2030-06-01T00:00:00Z', timeMax: '2030-07-01T00:00:00Z' };
      const pages: string[][] = [];
      let pageToken: string | undefined;
      let last: calendar_v3.Schema$Events | undefined;
      do {
        last = (
          await calendar.events.list({
            ...june,
            singleEvents: true,
            orderBy: 'startTime',
            maxResults: 3,
            timeZone: 'Europe/Berlin',
            ...(pageToken ? { pageToken } : {}),
          })
        ).data;
        pages.push((last.items ?? []).map((e) => e.id ?? ''));
        pageToken = last.nextPageToken ?? undefined;
      } while (pageToken);
      expect(pages).toEqual([
        seeded.slice(0, 3),
        [...seeded.slice(3), `${series}_20300610T080000Z`],
        [`${series}_20300611T080000Z`, `${series}_20300612T080000Z`],
      ]);
      // As in Google, a list that a sync could not repeat (timeMin, orderBy, ...) gives no nextSyncToken.
      expect(last.nextSyncToken).toBeUndefined();
      // Above 2500 Google returns its largest page; below 1 it refuses.
      expect((await calendar.events.list({ ...june, singleEvents: true, maxResults: 5000 })).data.items).toHaveLength(
        8,
      );
      expect(await failureOf(calendar.events.list({ ...june, maxResults: 0 }))).toMatchObject({
        status: 400,
        data: { error: { errors: [{ reason: 'invalid' }] } },
      });
      expect(await failureOf(calendar.events.list({ ...june, orderBy: 'startTime' }))).toMatchObject({
        status: 400,
        data: { error: { message: 'The requested ordering is not available for the particular query.' } },
      });
      expect(
        await failureOf(
          calendar.events.list({ ...june, timeMin: '2030-06-05T00:00:00Z', timeMax: '2030-06-05T00:00:00Z' }),
        ),
      ).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'timeRangeEmpty' }] } } });

      await calendar.events.delete({ calendarId: 'primary', eventId: seeded[0] });
      expect((await calendar.events.list(june)).data.items?.map((e) => e.id)).toEqual([...seeded.slice(1), series]);
      const withDeleted = await calendar.events.list({ ...june, showDeleted: true });
      expect(withDeleted.data.items?.map((e) => [e.id, e.status])).toEqual([
        [seeded[0], 'cancelled'],
        ...seeded.slice(1).map((id) => [id, 'confirmed']),
        [series, 'confirmed'],
      ]);
    });

    it('conferenceDataVersion=1 with a createRequest attaches a Meet; without it the request is ignored', async () => {
      const { calendar } = await calendarAccount('meet');
      const times = timed('2030-07-01T10:00:00Z', '2030-07-01T10:30:00Z');
      const meet = (requestId: string, type = 'hangoutsMeet'): calendar_v3.Schema$ConferenceData => ({
        createRequest: { requestId, conferenceSolutionKey: { type } },
      });
      const created = await calendar.events.insert({
        calendarId: 'primary',
        conferenceDataVersion: 1,
        requestBody: { ...times, conferenceData: meet('request-1') },
      });
      const link = created.data.hangoutLink ?? '';
      expect(link).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
      const code = link.slice('https://meet.google.com/'.length);
      expect(created.data.conferenceData).toEqual({
        createRequest: {
          requestId: 'request-1',
          conferenceSolutionKey: { type: 'hangoutsMeet' },
          status: { statusCode: 'success' },
        },
        entryPoints: [{ entryPointType: 'video', uri: link, label: `meet.google.com/${code}` }],
        conferenceSolution: {
          key: { type: 'hangoutsMeet' },
          name: 'Google Meet',
          iconUri: expect.stringMatching(/^https:\/\//),
        },
        conferenceId: code,
      });
      const got = await calendar.events.get({ calendarId: 'primary', eventId: created.data.id ?? '' });
      expect(got.data.hangoutLink).toBe(link);

      const ignored = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: { ...times, conferenceData: meet('request-2') },
      });
      expect(ignored.data.hangoutLink).toBeUndefined();
      expect(ignored.data.conferenceData).toBeUndefined();

      // The same requestId again: the conference of that request, not a new one.
      const reused = await calendar.events.insert({
        calendarId: 'primary',
        conferenceDataVersion: 1,
        requestBody: { ...times, conferenceData: meet('request-1') },
      });
      expect(reused.data.hangoutLink).toBe(link);
      expect(reused.data.id).not.toBe(created.data.id);

      const eventId = ignored.data.id ?? '';
      const patched = await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        conferenceDataVersion: 1,
        requestBody: { conferenceData: meet('request-3') },
      });
      const patchedLink = patched.data.hangoutLink ?? '';
      expect(patchedLink).toMatch(/^https:\/\/meet\.google\.com\//);
      expect(patchedLink).not.toBe(link);
      // A patch without conference data, or echoing it back, keeps the conference.
      const renamed = await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        requestBody: { summary: 'Renamed' },
      });
      expect(renamed.data.hangoutLink).toBe(patchedLink);
      const echoed = await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        conferenceDataVersion: 1,
        requestBody: { conferenceData: renamed.data.conferenceData ?? {} },
      });
      expect(echoed.data.conferenceData).toEqual(patched.data.conferenceData);
      const removed = await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        conferenceDataVersion: 1,
        requestBody: { conferenceData: null } as unknown as calendar_v3.Schema$Event,
      });
      expect(removed.data.hangoutLink).toBeUndefined();
      expect(removed.data.conferenceData).toBeUndefined();

      const wrongType = await failureOf(
        calendar.events.insert({
          calendarId: 'primary',
          conferenceDataVersion: 1,
          requestBody: { ...times, conferenceData: meet('request-4', 'eventHangout') },
        }),
      );
      expect(wrongType).toMatchObject({
        status: 400,
        data: { error: { message: 'Invalid conference type value.', errors: [{ reason: 'invalid' }] } },
      });
      const badVersion = await failureOf(
        calendar.events.insert({ calendarId: 'primary', conferenceDataVersion: 2, requestBody: times }),
      );
      expect(badVersion).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'invalidParameter' }] } } });
    });

    it('sendUpdates is taken on insert, patch and delete, logged in requests, and refused when unknown', async () => {
      const { email, calendar } = await calendarAccount('send-updates');
      const from = sandbox.requests.length;
      const { data } = await calendar.events.insert({
        calendarId: 'primary',
        sendUpdates: 'all',
        requestBody: {
          ...timed('2030-07-01T10:00:00Z', '2030-07-01T11:00:00Z'),
          attendees: [{ email: 'guest@example.com' }],
        },
      });
      const eventId = data.id ?? '';
      await calendar.events.patch({
        calendarId: 'primary',
        eventId,
        sendUpdates: 'externalOnly',
        requestBody: { summary: 'B' },
      });
      await calendar.events.delete({ calendarId: 'primary', eventId, sendUpdates: 'none' });
      const calls = sandbox.requests
        .slice(from)
        .filter((r) => r.path.startsWith('/calendar/v3/calendars/primary/events'));
      expect(calls.map((r) => [r.method, r.query?.['sendUpdates'], r.status])).toEqual([
        ['POST', 'all', 200],
        ['PATCH', 'externalOnly', 200],
        ['DELETE', 'none', 204],
      ]);

      const invalid = {
        status: 400,
        data: {
          error: {
            code: 400,
            message: 'Invalid value for sendUpdates: everyone',
            errors: [{ reason: 'invalidParameter' }],
            status: 'INVALID_ARGUMENT',
          },
        },
      };
      const other = sandbox.addCalendarEvent(email, timed('2030-07-02T10:00:00Z', '2030-07-02T11:00:00Z'));
      expect(
        await failureOf(
          calendar.events.insert({
            calendarId: 'primary',
            sendUpdates: 'everyone',
            requestBody: timed('2030-07-03T10:00:00Z', '2030-07-03T11:00:00Z'),
          }),
        ),
      ).toMatchObject(invalid);
      expect(
        await failureOf(
          calendar.events.patch({ calendarId: 'primary', eventId: other.id, sendUpdates: 'everyone', requestBody: {} }),
        ),
      ).toMatchObject(invalid);
      expect(
        await failureOf(calendar.events.delete({ calendarId: 'primary', eventId: other.id, sendUpdates: 'everyone' })),
      ).toMatchObject(invalid);
      expect(sandbox.calendarEvents(email).map((e) => [e.id, e.summary])).toEqual([[other.id, undefined]]);
    });

    it('a deleted event keeps its id: get answers it cancelled, an insert with its id is a 409, a second delete a 410', async () => {
      const { email, calendar } = await calendarAccount('reserved');
      const eventId = 'booking000000001';
      const requestBody = { id: eventId, ...timed('2030-07-01T10:00:00Z', '2030-07-01T11:00:00Z') };
      await calendar.events.insert({ calendarId: 'primary', requestBody });
      expect(sandbox.calendarEvents(email).map((e) => e.id)).toEqual([eventId]);
      await calendar.events.delete({ calendarId: 'primary', eventId });
      expect((await calendar.events.get({ calendarId: 'primary', eventId })).data).toMatchObject({
        id: eventId,
        status: 'cancelled',
      });
      expect(await failureOf(calendar.events.insert({ calendarId: 'primary', requestBody }))).toMatchObject({
        status: 409,
        data: { error: { code: 409, errors: [{ reason: 'duplicate' }] } },
      });
      expect(await failureOf(calendar.events.delete({ calendarId: 'primary', eventId }))).toMatchObject({
        status: 410,
        data: { error: { errors: [{ reason: 'deleted' }] } },
      });
      expect(sandbox.calendarEvents(email)).toEqual([]);
      expect(sandbox.calendarEvents(email, email, { showDeleted: true }).map((e) => [e.id, e.status])).toEqual([
        [eventId, 'cancelled'],
      ]);
    });
  });

  describe('test controls for Calendar and userinfo calls', () => {
    const LIST_PATH = '/calendar/v3/users/me/calendarList';
    const FREE_BUSY_PATH = '/calendar/v3/freeBusy';
    const INVALID_CREDENTIALS =
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

    interface RawAnswer {
      status: number;
      type: string | null;
      retryAfter: string | null;
      wwwAuthenticate: string | null;
      text: string;
    }

    /** A Calendar / userinfo call with plain fetch, so status, headers and body are the wire's. */
    async function call(
      path: string,
      token: string | undefined,
      init: { method?: string; json?: unknown; signal?: AbortSignal } = {},
    ): Promise<RawAnswer> {
      const headers: Record<string, string> = {};
      if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
      if (init.json !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${sandbox.baseUrl}${path.slice(1)}`, {
        method: init.method ?? 'GET',
        headers,
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        wwwAuthenticate: response.headers.get('www-authenticate'),
        text: await response.text(),
      };
    }

    const json = (answer: RawAnswer): unknown => JSON.parse(answer.text) as unknown;
    const freeBusyBody = {
      timeMin: '2030-01-01T00:00:00Z',
      timeMax: '2030-01-02T00:00:00Z',
      items: [{ id: 'primary' }],
    };

    /** Statuses of the sandbox's log entries for `path` since `from` (an index into requests). */
    function statusesSince(from: number, path: string): (number | undefined)[] {
      return sandbox.requests
        .slice(from)
        .filter((r) => r.path === path)
        .map((r) => r.status);
    }

    async function accessToken(name: string): Promise<{ client: OAuth2Client; tokens: Credentials; token: string }> {
      const { client, tokens } = await connect(uniqueEmail(name));
      return { client, tokens, token: tokens.access_token ?? '' };
    }

    it('a token it never issued answers 401 as Google does, on Calendar (with errors) and userinfo', async () => {
      const token = 'ya29.never-issued';
      const calendar = await call(LIST_PATH, token);
      expect(calendar).toMatchObject({
        status: 401,
        type: 'application/json; charset=utf-8',
        wwwAuthenticate: 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        retryAfter: null,
      });
      expect(json(calendar)).toEqual({
        error: {
          code: 401,
          message: INVALID_CREDENTIALS,
          errors: [
            {
              message: 'Invalid Credentials',
              domain: 'global',
              reason: 'authError',
              location: 'Authorization',
              locationType: 'header',
            },
          ],
          status: 'UNAUTHENTICATED',
        },
      });
      const userinfo = await call('/oauth2/v2/userinfo', token);
      expect(userinfo.status).toBe(401);
      expect(userinfo.wwwAuthenticate).toBe('Bearer realm="https://accounts.google.com/", error="invalid_token"');
      expect(json(userinfo)).toEqual({
        error: { code: 401, message: INVALID_CREDENTIALS, status: 'UNAUTHENTICATED' },
      });
    });

    it('rateLimit answers 403 usageLimits with rateLimitExceeded or userRateLimitExceeded', async () => {
      const { token } = await accessToken('api-403');
      sandbox.failApiRequests(1, { kind: 'rateLimit', reason: 'rateLimitExceeded' });
      sandbox.failApiRequests(1, { kind: 'rateLimit', reason: 'userRateLimitExceeded' });
      const project = await call(LIST_PATH, token);
      expect(project).toMatchObject({
        status: 403,
        type: 'application/json; charset=utf-8',
        retryAfter: null,
        wwwAuthenticate: null,
      });
      expect(json(project)).toEqual({
        error: {
          code: 403,
          message: 'Rate Limit Exceeded',
          errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
          status: 'PERMISSION_DENIED',
        },
      });
      const user = await call(LIST_PATH, token);
      expect(user.status).toBe(403);
      expect(json(user)).toEqual({
        error: {
          code: 403,
          message: 'User Rate Limit Exceeded',
          errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }],
          status: 'PERMISSION_DENIED',
        },
      });
      expect((await call(LIST_PATH, token)).status).toBe(200);
    });

    it('tooManyRequests answers 429 RESOURCE_EXHAUSTED, with Retry-After only when given', async () => {
      const { token } = await accessToken('api-429');
      sandbox.failApiRequests(1, { kind: 'tooManyRequests', retryAfterSeconds: 30 });
      sandbox.failApiRequests(1, { kind: 'tooManyRequests' });
      const body = {
        error: {
          code: 429,
          message: 'Rate Limit Exceeded',
          errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
          status: 'RESOURCE_EXHAUSTED',
        },
      };
      const first = await call(FREE_BUSY_PATH, token, { method: 'POST', json: freeBusyBody });
      expect(first).toMatchObject({ status: 429, type: 'application/json; charset=utf-8', retryAfter: '30' });
      expect(json(first)).toEqual(body);
      const second = await call(FREE_BUSY_PATH, token, { method: 'POST', json: freeBusyBody });
      expect(second).toMatchObject({ status: 429, retryAfter: null });
      expect(json(second)).toEqual(body);
      expect((await call(FREE_BUSY_PATH, token, { method: 'POST', json: freeBusyBody })).status).toBe(200);
    });

    it('serverError answers 500 and 503 JSON envelopes and 502 as the front end HTML page', async () => {
      const { token } = await accessToken('api-5xx');
      sandbox.failApiRequests(1, { kind: 'serverError' });
      sandbox.failApiRequests(1, { kind: 'serverError', status: 503 });
      sandbox.failApiRequests(1, { kind: 'serverError', status: 502 });
      const internal = await call(LIST_PATH, token);
      expect(internal).toMatchObject({ status: 500, type: 'application/json; charset=utf-8' });
      expect(json(internal)).toEqual({
        error: {
          code: 500,
          message: 'Internal error encountered.',
          errors: [{ message: 'Internal error encountered.', domain: 'global', reason: 'backendError' }],
          status: 'INTERNAL',
        },
      });
      const unavailable = await call(LIST_PATH, token);
      expect(unavailable.status).toBe(503);
      expect(json(unavailable)).toEqual({
        error: {
          code: 503,
          message: 'The service is currently unavailable.',
          errors: [{ message: 'The service is currently unavailable.', domain: 'global', reason: 'backendError' }],
          status: 'UNAVAILABLE',
        },
      });
      const badGateway = await call(LIST_PATH, token);
      expect(badGateway).toMatchObject({ status: 502, type: 'text/html; charset=UTF-8' });
      expect(badGateway.text).toContain('<title>Error 502 (Server Error)!!1</title>');
      expect(badGateway.text).toContain('<p><b>502.</b> <ins>That’s an error.</ins>');
      expect((await call(LIST_PATH, token)).status).toBe(200);
    });

    it('googleapis retries a GET on 5xx by itself, but not a POST', async () => {
      const { client } = await accessToken('api-retry');
      const calendar = calendarApi(client);
      const from = sandbox.requests.length;
      sandbox.failApiRequests(2, { kind: 'serverError', status: 503 });
      const { data } = await calendar.calendarList.list();
      expect(data.items).toHaveLength(1);
      expect(statusesSince(from, LIST_PATH)).toEqual([503, 503, 200]);

      sandbox.failApiRequests(1, { kind: 'serverError', status: 503 });
      const failed = await failureOf(calendar.freebusy.query({ requestBody: freeBusyBody }));
      expect(failed).toMatchObject({ name: 'GaxiosError', status: 503, data: { error: { status: 'UNAVAILABLE' } } });
      expect(statusesSince(from, FREE_BUSY_PATH)).toEqual([503]);
    });

    it('failures apply before the token check, and consume one call each, oldest first', async () => {
      sandbox.failApiRequests(1, { kind: 'rateLimit', reason: 'userRateLimitExceeded' });
      sandbox.failApiRequests(1, { kind: 'serverError', status: 503 });
      expect(sandbox.pendingApiFailures()).toBe(2);
      // No token at all: the injected answers come first, then Google's "missing credential".
      expect((await call(LIST_PATH, undefined)).status).toBe(403);
      expect(sandbox.pendingApiFailures()).toBe(1);
      expect((await call(LIST_PATH, undefined)).status).toBe(503);
      const unauthenticated = await call(LIST_PATH, undefined);
      expect(unauthenticated.status).toBe(401);
      expect(json(unauthenticated)).toMatchObject({ error: { errors: [{ reason: 'required' }] } });
      expect(sandbox.pendingApiFailures()).toBe(0);
    });

    it('a matcher limits a failure to one method and path; other calls pass and leave it queued', async () => {
      const { token } = await accessToken('api-match');
      const from = sandbox.requests.length;
      sandbox.failApiRequests(2, { kind: 'tooManyRequests' }, { method: 'post', path: FREE_BUSY_PATH });
      sandbox.failApiRequests(1, { kind: 'serverError' });
      // The GET skips the freeBusy failures and takes the later, unrestricted one.
      expect((await call(LIST_PATH, token)).status).toBe(500);
      expect((await call(LIST_PATH, token)).status).toBe(200);
      // Nor does a GET on the freeBusy path (which Google answers 404).
      expect((await call(FREE_BUSY_PATH, token)).status).toBe(404);
      expect(sandbox.pendingApiFailures()).toBe(2);
      for (let i = 0; i < 3; i++) await call(FREE_BUSY_PATH, token, { method: 'POST', json: freeBusyBody });
      expect(statusesSince(from, FREE_BUSY_PATH)).toEqual([404, 429, 429, 200]);

      // A RegExp matches the path without the query string; a global flag keeps no state.
      sandbox.failApiRequests(2, { kind: 'serverError', status: 503 }, { path: /\/events$/g });
      const events = '/calendar/v3/calendars/primary/events';
      expect((await call(`${events}?maxResults=5`, token)).status).toBe(503);
      expect((await call(LIST_PATH, token)).status).toBe(200);
      expect((await call(events, token)).status).toBe(503);
      expect((await call(events, token)).status).toBe(200);
    });

    it('clearApiFailures drops what is queued; bad arguments throw', async () => {
      const { token } = await accessToken('api-clear');
      sandbox.failApiRequests(3, { kind: 'serverError' });
      sandbox.clearApiFailures();
      expect(sandbox.pendingApiFailures()).toBe(0);
      expect((await call(LIST_PATH, token)).status).toBe(200);
      expect(() => sandbox.failApiRequests(1, { kind: 'serverError' }, { path: '/token' })).toThrow(
        /not a Calendar v3 or userinfo path/,
      );
      expect(() => sandbox.failApiRequests(1, { kind: 'serverError' }, { path: 'calendar/v3/freeBusy' })).toThrow();
      expect(() => sandbox.failApiRequests(-1, { kind: 'serverError' })).toThrow(/count/);
      expect(() => sandbox.failApiRequests(1, { kind: 'hang', ms: Number.POSITIVE_INFINITY })).toThrow(/ms/);
      expect(sandbox.pendingApiFailures()).toBe(0);
      // The OAuth endpoints are never failed by it.
      sandbox.failApiRequests(1, { kind: 'serverError' });
      const tokenAnswer = await postForm(sandbox.endpoints.tokenUrl, { grant_type: 'nothing' });
      expect(tokenAnswer.status).toBe(400);
      expect(sandbox.pendingApiFailures()).toBe(1);
      sandbox.clearApiFailures();
    });

    it('hang with ms answers normally after ms, and the log shows the call while it is pending', async () => {
      const { token } = await accessToken('api-hang');
      sandbox.failApiRequests(1, { kind: 'hang', ms: 300 }, { path: LIST_PATH });
      const from = sandbox.requests.length;
      const started = Date.now();
      const pending = call(LIST_PATH, token);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(sandbox.requests.slice(from)).toEqual([expect.objectContaining({ method: 'GET', path: LIST_PATH })]);
      expect(sandbox.requests[from]?.status).toBeUndefined();
      const answer = await pending;
      const elapsed = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1000);
      expect(statusesSince(from, LIST_PATH)).toEqual([200]);
      expect(sandbox.requests.at(-1)?.aborted).toBeUndefined();
    });

    it('hang without ms never answers: the client times out and the log marks the call aborted', async () => {
      const { token } = await accessToken('api-hang-forever');
      sandbox.failApiRequests(1, { kind: 'hang' });
      const from = sandbox.requests.length;
      const failed = await call(LIST_PATH, token, { signal: AbortSignal.timeout(200) }).then(
        () => 'answered',
        (error: unknown) => (error as Error).name,
      );
      expect(failed).toBe('TimeoutError');
      // The server sees the connection close shortly after the client gives up.
      const deadline = Date.now() + 2000;
      while (!sandbox.requests[from]?.aborted && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(sandbox.requests.slice(from)).toEqual([expect.objectContaining({ path: LIST_PATH, aborted: true })]);
      expect(sandbox.requests[from]?.status).toBeUndefined();
      expect(logLines.at(-1)).toMatch(/GET \/calendar\/v3\/users\/me\/calendarList -> closed unanswered/);
      expect((await call(LIST_PATH, token)).status).toBe(200);
    });

    it('googleapis gives up on a hanging GET after its timeout and retries it twice', async () => {
      const { client } = await accessToken('api-timeout');
      const from = sandbox.requests.length;
      sandbox.failApiRequests(3, { kind: 'hang' });
      const failed = await failureOf(calendarApi(client).calendarList.list({}, { timeout: 200 }));
      expect(failed.name).toBe('GaxiosError');
      expect(failed.status).toBeUndefined();
      // Google was called 3 times, none answered.
      expect(sandbox.requests.slice(from).map((r) => [r.path, r.status])).toEqual([
        [LIST_PATH, undefined],
        [LIST_PATH, undefined],
        [LIST_PATH, undefined],
      ]);
    });

    it('stop() closes a hanging call at once', async () => {
      const own = await GoogleSandbox.start();
      own.failApiRequests(2, { kind: 'hang' });
      own.failApiRequests(1, { kind: 'hang', ms: 60_000 });
      const calls = [1, 2, 3].map(() =>
        fetch(`${own.baseUrl}calendar/v3/users/me/calendarList`).then(
          (r) => r.status,
          () => 'closed',
        ),
      );
      const deadline = Date.now() + 2000;
      while (own.requests.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(own.requests).toHaveLength(3);
      const started = Date.now();
      await own.stop();
      expect(await Promise.all(calls)).toEqual(['closed', 'closed', 'closed']);
      expect(Date.now() - started).toBeLessThan(500);
      expect(own.requests.map((r) => r.aborted)).toEqual([true, true, true]);
    });

    it('maxConcurrentRequests: the most calls handled at once since start or the last reset', async () => {
      const { token } = await accessToken('api-concurrency');
      sandbox.resetMaxConcurrentRequests();
      expect(sandbox.maxConcurrentRequests()).toBe(0);
      await call(LIST_PATH, token);
      await call(LIST_PATH, token);
      expect(sandbox.maxConcurrentRequests()).toBe(1);
      sandbox.failApiRequests(3, { kind: 'hang', ms: 200 }, { path: LIST_PATH });
      expect((await Promise.all([1, 2, 3].map(() => call(LIST_PATH, token)))).map((a) => a.status)).toEqual([
        200, 200, 200,
      ]);
      expect(sandbox.maxConcurrentRequests()).toBe(3);
      // A call the client gave up on counts only while it was open.
      sandbox.resetMaxConcurrentRequests();
      sandbox.failApiRequests(1, { kind: 'hang' }, { path: LIST_PATH });
      await call(LIST_PATH, token, { signal: AbortSignal.timeout(100) }).catch(() => undefined);
      const deadline = Date.now() + 2000;
      while (!sandbox.requests.at(-1)?.aborted && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      sandbox.resetMaxConcurrentRequests();
      expect(sandbox.maxConcurrentRequests()).toBe(0);
    });

    it('invalidateAccessTokens: old access tokens answer 401, the refresh token yields a working one', async () => {
      const email = uniqueEmail('dropped');
      const first = await connect(email);
      const second = await connect(email);
      const bystander = await accessToken('not-dropped');
      sandbox.invalidateAccessTokens(email.toUpperCase());

      for (const { tokens } of [first, second]) {
        const stale = await call(LIST_PATH, tokens.access_token ?? '');
        expect(stale).toMatchObject({
          status: 401,
          wwwAuthenticate: 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        });
        expect(json(stale)).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError' }] } });
        expect((await call('/oauth2/v2/userinfo', tokens.access_token ?? '')).status).toBe(401);
      }
      expect((await call(LIST_PATH, bystander.token)).status).toBe(200);
      // googleapis sees the 401 as is: the token's expiry_date still lies ahead, so no refresh.
      expect((await failureOf(calendarApi(first.client).calendarList.list())).status).toBe(401);

      const { credentials } = await first.client.refreshAccessToken();
      expect(credentials.access_token).not.toBe(first.tokens.access_token);
      expect((await call(LIST_PATH, credentials.access_token ?? '')).status).toBe(200);
      first.client.setCredentials(credentials);
      expect((await calendarApi(first.client).calendarList.list()).data.items).toHaveLength(1);
      expect(sandbox.revokedTokens()).not.toContain(first.tokens.refresh_token);
      expect(() => sandbox.invalidateAccessTokens('never-connected@example.com')).toThrow(/no access token/);
    });
  });

  describe('Calendar v3: push channels (events.watch, channels.stop)', () => {
    interface ReceivedPush {
      method: string;
      headers: IncomingHttpHeaders;
      body: string;
    }

    /** A real webhook receiver on loopback that answers every push with `status`. */
    async function startReceiver(status = 200): Promise<{ url: string; got: ReceivedPush[]; close(): Promise<void> }> {
      const got: ReceivedPush[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          got.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/api/google-calendar/notifications`,
        got,
        close: () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections();
          return closed;
        },
      };
    }

    const receivers: { close(): Promise<void> }[] = [];
    async function receiver(status = 200): Promise<{ url: string; got: ReceivedPush[] }> {
      const started = await startReceiver(status);
      receivers.push(started);
      return started;
    }

    afterEach(async () => {
      sandbox.setChannelLifetimeMs(undefined);
      await sandbox.pushesSettled();
      await Promise.all(receivers.splice(0).map((r) => r.close()));
    });

    it('watch answers an api#channel, sends sync, then one headers-only exists push per change', async () => {
      const { email, calendar } = await calendarAccount('watch');
      const hook = await receiver();
      const before = Date.now();
      const { data: channel } = await calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'channel-1-watch', type: 'web_hook', address: hook.url, token: 'secret-channel-token' },
      });
      expect(channel).toEqual({
        kind: 'api#channel',
        id: 'channel-1-watch',
        resourceId: expect.stringMatching(/^[A-Za-z0-9]{20,}$/),
        resourceUri: `${sandbox.endpoints.apiRootUrl}calendar/v3/calendars/primary/events?alt=json`,
        token: 'secret-channel-token',
        expiration: expect.stringMatching(/^\d+$/),
      });
      const expiration = Number(channel.expiration);
      // Google's default lifetime: 7 days.
      expect(expiration - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);
      expect(expiration - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
      await sandbox.pushesSettled();
      expect(hook.got.map((p) => p.headers['x-goog-resource-state'])).toEqual(['sync']);

      const inserted = await calendar.events.insert({
        calendarId: 'primary',
        requestBody: timed('2030-09-01T10:00:00Z', '2030-09-01T11:00:00Z'),
      });
      await sandbox.pushesSettled();
      const eventId = inserted.data.id ?? '';
      await calendar.events.patch({ calendarId: 'primary', eventId, requestBody: { summary: 'Moved' } });
      await sandbox.pushesSettled();
      await calendar.events.update({
        calendarId: email,
        eventId,
        requestBody: { summary: 'Replaced', ...timed('2030-09-01T12:00:00Z', '2030-09-01T13:00:00Z') },
      });
      await sandbox.pushesSettled();
      sandbox.addCalendarEvent(email, timed('2030-09-02T10:00:00Z', '2030-09-02T11:00:00Z'));
      await sandbox.pushesSettled();
      await calendar.events.delete({ calendarId: 'primary', eventId });
      await sandbox.pushesSettled();
      // A failed change, a read and another calendar's change push nothing.
      await failureOf(calendar.events.delete({ calendarId: 'primary', eventId }));
      await calendar.events.list({ calendarId: 'primary' });
      const other = sandbox.addCalendar(email, { summary: 'Other' });
      sandbox.addCalendarEvent(email, timed('2030-09-03T10:00:00Z', '2030-09-03T11:00:00Z'), other);
      await sandbox.pushesSettled();

      expect(hook.got.map((p) => [p.headers['x-goog-resource-state'], p.headers['x-goog-message-number']])).toEqual([
        ['sync', '1'],
        ['exists', '2'],
        ['exists', '3'],
        ['exists', '4'],
        ['exists', '5'],
        ['exists', '6'],
      ]);
      for (const push of hook.got) {
        expect(push.method).toBe('POST');
        expect(push.body).toBe('');
        expect(push.headers['content-length']).toBe('0');
        expect(push.headers).toMatchObject({
          'x-goog-channel-id': 'channel-1-watch',
          'x-goog-channel-token': 'secret-channel-token',
          'x-goog-channel-expiration': new Date(expiration).toUTCString(),
          'x-goog-resource-id': channel.resourceId,
          'x-goog-resource-uri': channel.resourceUri,
        });
      }
      expect(hook.got[0]?.headers['x-goog-channel-expiration']).toMatch(
        /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
      );
      expect(sandbox.channels(email)).toEqual([
        {
          id: 'channel-1-watch',
          resourceId: channel.resourceId,
          resourceUri: channel.resourceUri,
          address: hook.url,
          token: 'secret-channel-token',
          expiration,
          email,
          calendarId: email,
          stopped: false,
          expired: false,
        },
      ]);
      const log = sandbox.pushesSent().filter((p) => p.channelId === 'channel-1-watch');
      expect(log.map((p) => [p.state, p.messageNumber, p.status])).toEqual([
        ['sync', 1, 200],
        ...[2, 3, 4, 5, 6].map((n) => ['exists', n, 200]),
      ]);
    });

    it('channels.stop ends pushes (204), an unknown or stopped channel is a 404; ids are unique while live', async () => {
      const { email, calendar } = await calendarAccount('stop');
      const hook = await receiver();
      const watch = (id: string) =>
        calendar.events.watch({ calendarId: 'primary', requestBody: { id, type: 'web_hook', address: hook.url } });
      const first = (await watch('stop-a')).data;
      expect(first.token).toBeUndefined();
      const second = (await watch('stop-b')).data;
      // The resource is the calendar: both channels share its resourceId.
      expect(second.resourceId).toBe(first.resourceId);
      expect(await failureOf(watch('stop-a'))).toMatchObject({
        status: 400,
        data: { error: { code: 400, errors: [{ reason: 'channelIdNotUnique' }] } },
      });
      const stopped = await calendar.channels.stop({ requestBody: { id: 'stop-a', resourceId: first.resourceId } });
      expect(stopped.status).toBe(204);
      await sandbox.pushesSettled();
      sandbox.addCalendarEvent(email, timed('2030-09-05T10:00:00Z', '2030-09-05T11:00:00Z'));
      await sandbox.pushesSettled();
      const byChannel = (id: string) =>
        hook.got.filter((p) => p.headers['x-goog-channel-id'] === id).map((p) => p.headers['x-goog-resource-state']);
      expect(byChannel('stop-a')).toEqual(['sync']);
      expect(byChannel('stop-b')).toEqual(['sync', 'exists']);
      expect(hook.got.every((p) => p.headers['x-goog-channel-token'] === undefined)).toBe(true);
      expect(sandbox.channels(email).map((c) => c.id)).toEqual(['stop-b']);
      expect(sandbox.channels(email, { all: true }).map((c) => [c.id, c.stopped])).toEqual([
        ['stop-a', true],
        ['stop-b', false],
      ]);

      for (const body of [
        { id: 'stop-a', resourceId: first.resourceId },
        { id: 'stop-b', resourceId: 'another-resource' },
        { id: 'never-opened', resourceId: first.resourceId },
      ]) {
        expect(await failureOf(calendar.channels.stop({ requestBody: body }))).toMatchObject({
          status: 404,
          data: { error: { code: 404, errors: [{ reason: 'notFound' }] } },
        });
      }
      // Once stopped, the id may be used again.
      expect((await watch('stop-a')).data.id).toBe('stop-a');
      expect(
        await failureOf(
          calendar.events.watch({
            calendarId: 'primary',
            requestBody: { id: 'stop-c', type: 'email', address: hook.url },
          }),
        ),
      ).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'invalid' }] } } });
      expect(
        await failureOf(calendar.events.watch({ calendarId: 'nobody@example.com', requestBody: { id: 'stop-d' } })),
      ).toMatchObject({ status: 404 });
    });

    it('unshareCalendar: the account loses the calendar (404 notFound everywhere) and its channel on it hears no more', async () => {
      const { email, calendar } = await calendarAccount('unshared');
      const shared = sandbox.addCalendar(email, { summary: 'Shared with me', accessRole: 'writer' });
      const hook = await receiver();
      await calendar.events.watch({
        calendarId: shared,
        requestBody: { id: 'unshared-1', type: 'web_hook', address: hook.url },
      });
      await calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'unshared-primary', type: 'web_hook', address: hook.url },
      });
      const eventId = sandbox.addCalendarEvent(email, timed('2030-09-01T10:00:00Z', '2030-09-01T11:00:00Z'), shared).id;
      await sandbox.pushesSettled();
      const pushes = (channelId: string) =>
        hook.got
          .filter((p) => p.headers['x-goog-channel-id'] === channelId)
          .map((p) => p.headers['x-goog-resource-state']);
      expect(pushes('unshared-1')).toEqual(['sync', 'exists']);

      sandbox.unshareCalendar(email, shared);
      const notFound = { status: 404, data: { error: { code: 404, errors: [{ reason: 'notFound' }] } } };
      const body = timed('2030-09-02T10:00:00Z', '2030-09-02T11:00:00Z');
      expect(await failureOf(calendar.events.list({ calendarId: shared }))).toMatchObject(notFound);
      expect(await failureOf(calendar.events.get({ calendarId: shared, eventId }))).toMatchObject(notFound);
      expect(await failureOf(calendar.events.instances({ calendarId: shared, eventId }))).toMatchObject(notFound);
      expect(await failureOf(calendar.events.insert({ calendarId: shared, requestBody: body }))).toMatchObject(
        notFound,
      );
      expect(await failureOf(calendar.events.delete({ calendarId: shared, eventId }))).toMatchObject(notFound);
      expect(await failureOf(calendar.calendars.get({ calendarId: shared }))).toMatchObject(notFound);
      expect(await failureOf(calendar.calendarList.get({ calendarId: shared }))).toMatchObject(notFound);
      expect(
        await failureOf(
          calendar.events.watch({
            calendarId: shared,
            requestBody: { id: 'unshared-2', type: 'web_hook', address: hook.url },
          }),
        ),
      ).toMatchObject(notFound);
      expect((await calendar.calendarList.list()).data.items?.map((c) => c.id)).toEqual([email]);
      const busy = await calendar.freebusy.query({
        requestBody: { timeMin: '2030-09-01T00:00:00Z', timeMax: '2030-09-02T00:00:00Z', items: [{ id: shared }] },
      });
      expect(busy.data.calendars?.[shared]).toEqual({ errors: [{ domain: 'global', reason: 'notFound' }], busy: [] });

      // Its owner goes on changing it: the account's channel on it gets no push, the primary's still does.
      sandbox.patchCalendarEvent(email, eventId, { summary: 'Changed by its owner' }, shared);
      sandbox.addCalendarEvent(email, body, shared);
      sandbox.deleteCalendarEvent(email, eventId, shared);
      sandbox.addCalendarEvent(email, body);
      await sandbox.pushesSettled();
      expect(pushes('unshared-1')).toEqual(['sync', 'exists']);
      expect(pushes('unshared-primary')).toEqual(['sync', 'exists']);
      expect(sandbox.calendarEvents(email, shared, { showDeleted: true }).map((e) => e.status)).toEqual([
        'cancelled',
        'confirmed',
      ]);

      expect(() => sandbox.unshareCalendar(email, shared)).toThrow(/no calendar/);
      expect(() => sandbox.unshareCalendar(email, 'primary')).toThrow(/primary/);
      expect(() => sandbox.unshareCalendar(email, 'nope@group.calendar.google.com')).toThrow(/no calendar/);
    });

    it('params.ttl and setChannelLifetimeMs shorten the lifetime; an expired channel stops pushing', async () => {
      const { email, calendar } = await calendarAccount('ttl');
      const hook = await receiver();
      const ttl = await calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'ttl-1', type: 'web_hook', address: hook.url, params: { ttl: '3600' } },
      });
      const ttlLeft = Number(ttl.data.expiration) - Date.now();
      expect(ttlLeft).toBeGreaterThan(3590_000);
      expect(ttlLeft).toBeLessThanOrEqual(3600_000);

      sandbox.setChannelLifetimeMs(300);
      const short = await calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'ttl-2', type: 'web_hook', address: hook.url, params: { ttl: '3600' } },
      });
      expect(Number(short.data.expiration) - Date.now()).toBeLessThanOrEqual(300);
      await sandbox.pushesSettled();
      expect(sandbox.channels(email).map((c) => c.id)).toEqual(['ttl-1', 'ttl-2']);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(sandbox.channels(email).map((c) => c.id)).toEqual(['ttl-1']);
      expect(sandbox.channels(email, { all: true }).find((c) => c.id === 'ttl-2')).toMatchObject({
        stopped: false,
        expired: true,
      });
      sandbox.addCalendarEvent(email, timed('2030-09-06T10:00:00Z', '2030-09-06T11:00:00Z'));
      await sandbox.pushesSettled();
      expect(hook.got.map((p) => [p.headers['x-goog-channel-id'], p.headers['x-goog-resource-state']])).toEqual([
        ['ttl-1', 'sync'],
        ['ttl-2', 'sync'],
        ['ttl-1', 'exists'],
      ]);
      expect(
        await failureOf(calendar.channels.stop({ requestBody: { id: 'ttl-2', resourceId: short.data.resourceId } })),
      ).toMatchObject({ status: 404 });
    });

    it('a failing receiver is logged in pushesSent and never retried', async () => {
      const { email, calendar } = await calendarAccount('failing');
      const broken = await receiver(500);
      const gone = await startReceiver();
      await gone.close();
      for (const [id, address] of [
        ['fail-500', broken.url],
        ['fail-refused', gone.url],
      ] as const) {
        await calendar.events.watch({ calendarId: 'primary', requestBody: { id, type: 'web_hook', address } });
      }
      await sandbox.pushesSettled();
      sandbox.addCalendarEvent(email, timed('2030-09-07T10:00:00Z', '2030-09-07T11:00:00Z'));
      await sandbox.pushesSettled();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(broken.got.map((p) => p.headers['x-goog-resource-state'])).toEqual(['sync', 'exists']);
      const sent = sandbox.pushesSent().filter((p) => p.channelId.startsWith('fail-'));
      expect(sent.map((p) => [p.channelId, p.state, p.status])).toEqual([
        ['fail-500', 'sync', 500],
        ['fail-refused', 'sync', undefined],
        ['fail-500', 'exists', 500],
        ['fail-refused', 'exists', undefined],
      ]);
      expect(sent.filter((p) => p.channelId === 'fail-refused').every((p) => typeof p.error === 'string')).toBe(true);
      expect(logLines.filter((l) => /^google-sandbox push exists #2 channel=fail-500 -> 500/.test(l))).toHaveLength(1);
      expect(logLines.some((l) => /^google-sandbox push sync #1 channel=fail-refused -> failed: /.test(l))).toBe(true);
    });
  });

  describe('Calendar v3: events.list with syncToken', () => {
    async function listAll(
      calendar: calendar_v3.Calendar,
      params: calendar_v3.Params$Resource$Events$List,
    ): Promise<{ pages: calendar_v3.Schema$Event[][]; nextSyncToken: string | null | undefined }> {
      const pages: calendar_v3.Schema$Event[][] = [];
      let pageToken: string | undefined;
      let last: calendar_v3.Schema$Events;
      do {
        last = (await calendar.events.list({ ...params, ...(pageToken ? { pageToken } : {}) })).data;
        pages.push(last.items ?? []);
        pageToken = last.nextPageToken ?? undefined;
        if (pageToken) expect(last.nextSyncToken).toBeUndefined();
      } while (pageToken);
      return { pages, nextSyncToken: last.nextSyncToken };
    }

    it('lists only what changed since the token, cancelled events included, paged, ending with a new token', async () => {
      const { email, calendar } = await calendarAccount('sync');
      const [a, b, c] = [1, 2, 3].map(
        (day) => sandbox.addCalendarEvent(email, timed(`2030-10-0${day}T10:00:00Z`, `2030-10-0${day}T11:00:00Z`)).id,
      );
      const full = await listAll(calendar, { calendarId: 'primary', maxResults: 2 });
      expect(full.pages.map((p) => p.map((e) => e.id))).toEqual([[a, b], [c]]);
      const first = full.nextSyncToken ?? '';
      expect(first).toMatch(/\S/);

      const nothing = await calendar.events.list({ calendarId: 'primary', syncToken: first });
      expect(nothing.data.items).toEqual([]);
      expect(nothing.data.nextSyncToken).toEqual(expect.any(String));

      await calendar.events.patch({ calendarId: 'primary', eventId: b ?? '', requestBody: { summary: 'Changed' } });
      await calendar.events.delete({ calendarId: 'primary', eventId: c ?? '' });
      const d = (
        await calendar.events.insert({
          calendarId: 'primary',
          requestBody: timed('2030-10-04T10:00:00Z', '2030-10-04T11:00:00Z'),
        })
      ).data.id;
      const changes = await listAll(calendar, { calendarId: 'primary', syncToken: first, maxResults: 2 });
      expect(changes.pages.map((p) => p.map((e) => [e.id, e.status]))).toEqual([
        [
          [b, 'confirmed'],
          [c, 'cancelled'],
        ],
        [[d, 'confirmed']],
      ]);
      expect(changes.pages[0]?.[0]?.summary).toBe('Changed');
      const second = changes.nextSyncToken ?? '';
      expect(second).not.toBe(first);
      expect((await calendar.events.list({ calendarId: 'primary', syncToken: second })).data.items).toEqual([]);
      // The old token still lists the same changes (tokens stay valid until Google drops them).
      expect((await listAll(calendar, { calendarId: 'primary', syncToken: first })).pages.flat()).toHaveLength(3);

      // A change made while a client pages is not lost: it comes with the next sync.
      const early = [5, 6].map(
        (day) => sandbox.addCalendarEvent(email, timed(`2030-10-0${day}T10:00:00Z`, `2030-10-0${day}T11:00:00Z`)).id,
      );
      const paging = await calendar.events.list({ calendarId: 'primary', syncToken: second, maxResults: 1 });
      expect(paging.data.items).toHaveLength(1);
      expect(paging.data.nextPageToken).toEqual(expect.any(String));
      const e = sandbox.addCalendarEvent(email, timed('2030-10-07T10:00:00Z', '2030-10-07T11:00:00Z')).id;
      const rest = await listAll(calendar, {
        calendarId: 'primary',
        syncToken: second,
        pageToken: paging.data.nextPageToken ?? '',
      });
      expect([...(paging.data.items ?? []), ...rest.pages.flat()].map((x) => x.id)).toEqual([...early, e]);
      // The token describes the state the first page saw, so e comes again (at least once, never lost).
      const after = await calendar.events.list({ calendarId: 'primary', syncToken: rest.nextSyncToken ?? '' });
      expect(after.data.items?.map((x) => x.id)).toEqual([e]);
    });

    it('gives a deleted event in a sync and with showDeleted as Google does: kind, etag, id and status only; events.get answers it whole', async () => {
      const { email, calendar } = await calendarAccount('sync-deleted');
      const single = sandbox.addCalendarEvent(email, {
        summary: 'Booked',
        extendedProperties: { private: { booking: 'b-1' } },
        ...timed('2030-10-01T10:00:00Z', '2030-10-01T11:00:00Z'),
      }).id;
      const weekly = sandbox.addCalendarEvent(email, {
        summary: 'Weekly',
        start: { dateTime: '2030-10-06T09:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-10-06T10:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      }).id;
      const doomed = sandbox.addCalendarEvent(email, {
        summary: 'Doomed series',
        start: { dateTime: '2030-10-07T12:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-10-07T13:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
      }).id;
      const token = (await calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
      const instance = `${weekly}_20301013T090000Z`;
      sandbox.deleteCalendarEvent(email, single);
      sandbox.deleteCalendarEvent(email, instance);
      sandbox.deleteCalendarEvent(email, doomed);

      const deleted = (id: string) => ({ kind: 'calendar#event', etag: expect.any(String), id, status: 'cancelled' });
      // A cancelled instance of a series that lives on also keeps what names the occurrence.
      const cancelledInstance = {
        ...deleted(instance),
        recurringEventId: weekly,
        originalStartTime: { dateTime: '2030-10-13T09:00:00Z', timeZone: 'UTC' },
      };
      const changes = await calendar.events.list({ calendarId: 'primary', syncToken: token });
      expect(changes.data.items).toEqual([deleted(single), deleted(doomed), cancelledInstance]);
      const expanded = await calendar.events.list({ calendarId: 'primary', singleEvents: true, syncToken: token });
      expect(expanded.data.items).toEqual([
        deleted(single),
        deleted(`${doomed}_20301007T120000Z`),
        deleted(`${doomed}_20301008T120000Z`),
        cancelledInstance,
      ]);
      const withDeleted = await calendar.events.list({ calendarId: 'primary', showDeleted: true });
      expect(withDeleted.data.items).toEqual([
        deleted(single),
        expect.objectContaining({ id: weekly, status: 'confirmed', summary: 'Weekly' }),
        deleted(doomed),
        cancelledInstance,
      ]);
      // Without showDeleted only the cancelled instance of the living series is listed, and as bare.
      expect((await calendar.events.list({ calendarId: 'primary' })).data.items).toEqual([
        expect.objectContaining({ id: weekly, summary: 'Weekly' }),
        cancelledInstance,
      ]);
      expect(
        (await calendar.events.list({ calendarId: 'primary', singleEvents: true, showDeleted: true })).data.items,
      ).toContainEqual(cancelledInstance);

      // events.get still answers the whole event, cancelled.
      expect((await calendar.events.get({ calendarId: 'primary', eventId: single })).data).toMatchObject({
        id: single,
        status: 'cancelled',
        summary: 'Booked',
        extendedProperties: { private: { booking: 'b-1' } },
        start: { dateTime: '2030-10-01T10:00:00Z' },
      });
      expect((await calendar.events.get({ calendarId: 'primary', eventId: instance })).data).toMatchObject({
        status: 'cancelled',
        summary: 'Weekly',
      });
    });

    it('singleEvents with syncToken lists a changed series as its instances', async () => {
      const { email, calendar } = await calendarAccount('sync-series');
      const token = (await calendar.events.list({ calendarId: 'primary', singleEvents: true })).data.nextSyncToken;
      const series = sandbox.addCalendarEvent(email, {
        start: { dateTime: '2030-11-04T09:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-11-04T10:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
      }).id;
      const listed = await calendar.events.list({ calendarId: 'primary', singleEvents: true, syncToken: token ?? '' });
      expect(listed.data.items?.map((i) => i.id)).toEqual([`${series}_20301104T090000Z`, `${series}_20301105T090000Z`]);
      const plain = await calendar.events.list({ calendarId: 'primary', syncToken: token ?? '' });
      expect(plain.data.items?.map((i) => i.id)).toEqual([series]);
    });

    it('gives no nextSyncToken, and refuses syncToken, with timeMin, timeMax, orderBy or updatedMin', async () => {
      const { calendar } = await calendarAccount('sync-params');
      const token = (await calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
      const filters: calendar_v3.Params$Resource$Events$List[] = [
        { timeMin: '2030-01-01T00:00:00Z' },
        { timeMax: '2030-01-01T00:00:00Z' },
        { orderBy: 'updated' },
        { updatedMin: '2030-01-01T00:00:00Z' },
        { q: 'lunch' },
      ];
      for (const filter of filters) {
        const listed = await calendar.events.list({ calendarId: 'primary', ...filter });
        expect(listed.data.nextSyncToken).toBeUndefined();
        const refused = await failureOf(calendar.events.list({ calendarId: 'primary', syncToken: token, ...filter }));
        expect(refused).toMatchObject({ status: 400, data: { error: { code: 400, errors: [{ reason: 'invalid' }] } } });
      }
      expect(
        await failureOf(calendar.events.list({ calendarId: 'primary', syncToken: token, showDeleted: false })),
      ).toMatchObject({ status: 400 });
      expect(await failureOf(calendar.events.list({ calendarId: 'primary', syncToken: 'not-a-token' }))).toMatchObject({
        status: 400,
        data: { error: { message: 'Invalid sync token value.' } },
      });
    });

    it('expireSyncTokens makes every earlier token answer 410 fullSyncRequired; a full list gives a working one', async () => {
      const { email, calendar } = await calendarAccount('sync-gone');
      const team = sandbox.addCalendar(email, { summary: 'Team' });
      const token = (await calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
      const teamToken = (await calendar.events.list({ calendarId: team })).data.nextSyncToken ?? '';
      // A token belongs to its calendar.
      expect(await failureOf(calendar.events.list({ calendarId: team, syncToken: token }))).toMatchObject({
        status: 410,
      });
      sandbox.expireSyncTokens(email);
      const gone = await failureOf(calendar.events.list({ calendarId: 'primary', syncToken: token }));
      expect(gone.status).toBe(410);
      expect(gone.data).toEqual({
        error: {
          code: 410,
          message: 'Sync token is no longer valid, a full sync is required.',
          errors: [
            {
              domain: 'global',
              reason: 'fullSyncRequired',
              message: 'Sync token is no longer valid, a full sync is required.',
            },
          ],
          status: 'GONE',
        },
      });
      // Every later use too, and only this calendar's tokens.
      expect((await failureOf(calendar.events.list({ calendarId: 'primary', syncToken: token }))).status).toBe(410);
      expect((await calendar.events.list({ calendarId: team, syncToken: teamToken })).status).toBe(200);
      const fresh = (await calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
      expect((await calendar.events.list({ calendarId: 'primary', syncToken: fresh })).data.items).toEqual([]);
      expect(() => sandbox.expireSyncTokens(email, 'c_unknown@group.calendar.google.com')).toThrow(/no calendar/);
    });
  });

  it('names in the request log the account whose access token each API call carried', async () => {
    const alice = uniqueEmail('log-owner');
    const bob = uniqueEmail('log-owner');
    const a = await connect(alice);
    const b = await connect(bob);
    const from = sandbox.requests.length;
    await calendarApi(a.client).events.list({ calendarId: 'primary' });
    await calendarApi(b.client).events.list({ calendarId: 'primary' });
    await oauth2Api(b.client).userinfo.get();
    const unknown = await fetch(`${sandbox.baseUrl}calendar/v3/calendars/primary/events`, {
      headers: { Authorization: 'Bearer not-a-token-we-issued' },
    });
    expect(unknown.status).toBe(401);
    await b.client.refreshAccessToken(); // the token endpoint is not an API call: no account
    sandbox.expireAccessTokens();
    const expired = await fetch(`${sandbox.baseUrl}calendar/v3/calendars/primary/events`, {
      headers: { Authorization: `Bearer ${a.tokens.access_token ?? ''}` },
    });
    expect(expired.status).toBe(401);

    expect(sandbox.requests.slice(from).map((r) => [r.method, r.path, r.account])).toEqual([
      ['GET', '/calendar/v3/calendars/primary/events', alice],
      ['GET', '/calendar/v3/calendars/primary/events', bob],
      ['GET', '/oauth2/v2/userinfo', bob],
      ['GET', '/calendar/v3/calendars/primary/events', undefined],
      ['POST', '/token', undefined],
      // Refused, but still the token of that account.
      ['GET', '/calendar/v3/calendars/primary/events', alice],
    ]);
  });

  it('records every request and never logs a token', () => {
    expect(sandbox.requests.length).toBeGreaterThan(20);
    for (const entry of sandbox.requests) {
      expect(entry.at).toBeInstanceOf(Date);
      expect(entry.method).toMatch(/^[A-Z]+$/);
      expect(entry.path.startsWith('/')).toBe(true);
    }
    const pushLines = logLines.filter((l) => l.startsWith('google-sandbox push '));
    expect(pushLines.length).toBe(sandbox.pushesSent().length);
    expect(logLines.length - pushLines.length).toBe(sandbox.requests.length);
    expect(logLines.some((l) => /POST \/token grant_type=refresh_token -> 200/.test(l))).toBe(true);
    const channelTokens = sandbox.channels(undefined, { all: true }).flatMap((c) => (c.token ? [c.token] : []));
    expect(channelTokens.length).toBeGreaterThan(0);
    const secrets = [...sandbox.issuedTokens(), sandbox.clientSecret, ...channelTokens];
    for (const line of logLines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
