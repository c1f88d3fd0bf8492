import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException, MetricsRegistry } from '@connector-service/app-core';
import type { WebhookApiConfig } from '../config/webhook-api.config';
import type { AccessTokenService } from '../token-refresh/access-token.service';
import { GoogleApiClient, GoogleRequestContext, RATE_LIMIT_BUDGET_MS } from './google-api.client';
import { GoogleApiMetrics } from './google-api.metrics';
import { GoogleBackgroundBudget } from './google-background-budget';
import { GoogleOAuthClient } from './google-oauth.client';

const config = {
  OUTBOUND_TIMEOUT_MS: 1234,
  GOOGLE_CLIENT_ID: 'id',
  GOOGLE_CLIENT_SECRET: 'secret',
  GOOGLE_REDIRECT_URI: 'http://localhost/cb',
  GOOGLE_OAUTH_AUTH_URL: 'http://127.0.0.1:9/auth',
  GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token',
  GOOGLE_OAUTH_REVOKE_URL: 'http://127.0.0.1:9/revoke',
} as WebhookApiConfig;

const googleAnswer = (status: number, reason: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), {
    response: {
      status,
      data: { error: { code: status, message: reason, errors: [{ reason }] } },
      headers: new Headers(headers),
    },
  });

/** Fake token source: hands out token-1, then token-2 after a forced refresh. */
function tokenSource(onForce: () => Promise<string> = async () => 'token-2') {
  const calls: { force: boolean }[] = [];
  const tokens = {
    accessToken: async (_id: string, options: { force?: boolean } = {}) => {
      calls.push({ force: options.force === true });
      return options.force ? onForce() : 'token-1';
    },
  } as unknown as AccessTokenService;
  return { tokens, calls };
}

function clientWith(tokens: AccessTokenService, sleeps: number[] = []) {
  return new GoogleApiClient(
    tokens,
    new GoogleOAuthClient(config),
    config,
    new GoogleApiMetrics(new MetricsRegistry()),
    new GoogleBackgroundBudget(config, new GoogleApiMetrics(new MetricsRegistry())),
    {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    },
  );
}

async function tokenOf(context: GoogleRequestContext): Promise<string | null | undefined> {
  return context.auth.credentials.access_token;
}

describe('GoogleApiClient', () => {
  it('passes our timeout, no library retries, and the access token', async () => {
    const { tokens } = tokenSource();
    const seen: GoogleRequestContext[] = [];
    const data = await clientWith(tokens).request('c1', 'op', async (context) => {
      seen.push(context);
      return { data: { ok: true } };
    });
    expect(data).toEqual({ ok: true });
    expect(seen[0].options).toEqual({ timeout: 1234, retry: false });
    expect(await tokenOf(seen[0])).toBe('token-1');
  });

  it('retries a 401 once with a token refreshed now', async () => {
    const { tokens, calls } = tokenSource();
    const used: (string | null | undefined)[] = [];
    const data = await clientWith(tokens).request('c1', 'op', async (context) => {
      used.push(await tokenOf(context));
      if (used.length === 1) throw googleAnswer(401, 'authError');
      return { data: 'healed' };
    });
    expect(data).toBe('healed');
    expect(used).toEqual(['token-1', 'token-2']);
    expect(calls).toEqual([{ force: false }, { force: true }]);
  });

  it('a second 401 after the refresh is a 502, not a loop', async () => {
    const { tokens } = tokenSource();
    let attempts = 0;
    const failure = clientWith(tokens).request('c1', 'op', async () => {
      attempts += 1;
      throw googleAnswer(401, 'authError');
    });
    await expect(failure).rejects.toMatchObject({ status: HttpStatus.BAD_GATEWAY, code: ErrorCode.GoogleUnavailable });
    expect(attempts).toBe(2);
  });

  it('a lost grant met by the refresh is what the caller gets (409 REAUTH_REQUIRED)', async () => {
    const reauth = new DomainException(HttpStatus.CONFLICT, ErrorCode.ReauthRequired, 'lost');
    const { tokens } = tokenSource(() => Promise.reject(reauth));
    await expect(
      clientWith(tokens).request('c1', 'op', async () => {
        throw googleAnswer(401, 'authError');
      }),
    ).rejects.toBe(reauth);
  });

  it('retries rate limits with growing, jittered delays, then succeeds', async () => {
    const { tokens } = tokenSource();
    const sleeps: number[] = [];
    let attempts = 0;
    const data = await clientWith(tokens, sleeps).request('c1', 'op', async () => {
      attempts += 1;
      if (attempts === 1) throw googleAnswer(403, 'rateLimitExceeded');
      if (attempts === 2) throw googleAnswer(403, 'userRateLimitExceeded');
      if (attempts === 3) throw googleAnswer(429, 'rateLimitExceeded');
      return { data: 'ok' };
    });
    expect(data).toBe('ok');
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it("honours Google's Retry-After", async () => {
    const { tokens } = tokenSource();
    const sleeps: number[] = [];
    let attempts = 0;
    await clientWith(tokens, sleeps).request('c1', 'op', async () => {
      attempts += 1;
      if (attempts === 1) throw googleAnswer(429, 'rateLimitExceeded', { 'retry-after': '2' });
      return { data: 'ok' };
    });
    expect(sleeps).toEqual([2000]);
  });

  it('gives up within the budget with a 429 and Retry-After', async () => {
    const { tokens } = tokenSource();
    const sleeps: number[] = [];
    const failure = clientWith(tokens, sleeps).request('c1', 'op', async () => {
      throw googleAnswer(429, 'rateLimitExceeded', { 'retry-after': String(RATE_LIMIT_BUDGET_MS / 1000 + 5) });
    });
    await expect(failure).rejects.toMatchObject({
      status: HttpStatus.TOO_MANY_REQUESTS,
      code: ErrorCode.RateLimited,
      headers: { 'Retry-After': String(RATE_LIMIT_BUDGET_MS / 1000 + 5) },
    });
    expect(sleeps).toEqual([]);
  });

  it('does not retry what retrying cannot heal', async () => {
    const { tokens } = tokenSource();
    for (const [status, reason, expected] of [
      [503, 'backendError', HttpStatus.BAD_GATEWAY],
      [404, 'notFound', HttpStatus.NOT_FOUND],
      [403, 'insufficientPermissions', HttpStatus.FORBIDDEN],
    ] as const) {
      let attempts = 0;
      await expect(
        clientWith(tokens).request('c1', 'op', async () => {
          attempts += 1;
          throw googleAnswer(status, reason);
        }),
      ).rejects.toMatchObject({ status: expected });
      expect(attempts).toBe(1);
    }
  });
});
