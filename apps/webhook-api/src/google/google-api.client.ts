import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { remainingMs, requestDeadlineExceeded, retryDelayMs } from '@connector-service/app-core';
import type { OAuth2Client } from 'google-auth-library';
import { WebhookApiConfig } from '../config/webhook-api.config';
import type { ConnectionRecord } from '../connections/connection.repository';
import { AccessTokenService } from '../token-refresh/access-token.service';
import { GoogleApiFailure, classifyGoogleApiFailure, googleApiException } from './google-errors';
import { GoogleApiMetrics } from './google-api.metrics';
import { GoogleBackgroundBudget } from './google-background-budget';
import { GoogleOAuthClient } from './google-oauth.client';

/** All the waiting one request may spend on Google's rate limits (the contract's 10 s). */
export const RATE_LIMIT_BUDGET_MS = 10_000;
const RATE_LIMIT_BACKOFF = { baseMs: 500, maxMs: 4000 };

/**
 * What each Google API request is given: our auth, our timeout (cut to what is left of the
 * request's deadline), no retries of the library's own, and, under a deadline, a signal
 * that aborts the call when the deadline comes.
 */
export interface GoogleRequestContext {
  auth: OAuth2Client;
  options: { timeout: number; retry: false; signal?: AbortSignal };
}

export const GOOGLE_API_CLIENT_OPTIONS = Symbol('GoogleApiClientOptions');

export interface GoogleApiClientOptions {
  /** For tests: the pause between rate-limit retries. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * The one way to Google's APIs on a connection. It obtains the access token (refreshed
 * when due), and then:
 * - 401 (token revoked or dropped early): retried once with a token refreshed now; if that
 *   refresh meets `invalid_grant` the access is lost (409 REAUTH_REQUIRED, see AccessTokenService);
 * - 403 rateLimitExceeded / userRateLimitExceeded and 429: retried with exponential backoff
 *   and jitter (honouring Retry-After) within RATE_LIMIT_BUDGET_MS, then 429 with Retry-After;
 * - everything else Google answers maps to the contract's errors (404, 409, 403, 400, 502, 504).
 * No Google failure becomes a 500.
 *
 * Within a request that has a deadline (the caller's `X-Request-Timeout-Ms`) no attempt starts
 * after it (504 GOOGLE_TIMEOUT instead), an attempt is aborted at it, and a rate-limit pause
 * that would end after it is not taken: that answers 429 RATE_LIMITED with Retry-After as
 * when the budget runs out, since Google's limit, not its silence, is what the caller met and
 * Retry-After tells it when to come back. Background work (no deadline) is bounded as before.
 */
@Injectable()
export class GoogleApiClient {
  private readonly logger = new Logger(GoogleApiClient.name);
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly oauth: GoogleOAuthClient,
    private readonly config: WebhookApiConfig,
    private readonly metrics: GoogleApiMetrics,
    private readonly backgroundBudget: GoogleBackgroundBudget,
    @Optional() @Inject(GOOGLE_API_CLIENT_OPTIONS) options: GoogleApiClientOptions | null = null,
  ) {
    this.sleep = options?.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options?.random ?? Math.random;
  }

  /**
   * Runs `send` for the connection `calendarId` and answers Google's `data`. `connection`:
   * the connection as the caller just read it (its token is used if fresh, unread again).
   * `background`: the call is background work (a sync, a channel): every attempt waits for
   * this replica's GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE; the platform's requests never do.
   */
  async request<T>(
    calendarId: string,
    operation: string,
    send: (context: GoogleRequestContext) => Promise<{ data: T }>,
    options: { connection?: ConnectionRecord; background?: boolean } = {},
  ): Promise<T> {
    const budgetEnds = Date.now() + RATE_LIMIT_BUDGET_MS;
    let accessToken = await this.tokens.accessToken(calendarId, { connection: options.connection });
    let refreshedAfter401 = false;
    for (let attempt = 1; ; attempt += 1) {
      if (options.background) await this.backgroundBudget.take();
      const left = remainingMs();
      if (left !== undefined && left <= 0) throw requestDeadlineExceeded();
      let failure: GoogleApiFailure;
      try {
        const { data } = await send({
          auth: this.oauth.clientWithAccessToken(accessToken),
          options:
            left === undefined
              ? { timeout: this.config.OUTBOUND_TIMEOUT_MS, retry: false }
              : {
                  timeout: Math.min(this.config.OUTBOUND_TIMEOUT_MS, left),
                  retry: false,
                  signal: AbortSignal.timeout(left),
                },
        });
        this.metrics.requests.inc({ operation, outcome: 'ok' });
        return data;
      } catch (error) {
        failure = classifyGoogleApiFailure(error);
      }
      this.metrics.requests.inc({ operation, outcome: failure.kind });
      if (failure.kind === 'unauthorized' && !refreshedAfter401) {
        refreshedAfter401 = true;
        this.logger.warn(`Google refused the access token of ${calendarId} (${operation}); refreshing it once`);
        accessToken = await this.tokens.accessToken(calendarId, { force: true });
        continue;
      }
      if (failure.kind === 'rate_limited') {
        const delay = failure.retryAfterMs ?? retryDelayMs(attempt, { ...RATE_LIMIT_BACKOFF, random: this.random });
        const requestLeft = remainingMs();
        // Under a deadline the next attempt needs time to run too: the pause must end before it.
        if (Date.now() + delay <= budgetEnds && (requestLeft === undefined || delay < requestLeft)) {
          await this.sleep(delay);
          continue;
        }
        throw googleApiException(failure, Math.ceil(delay / 1000));
      }
      throw googleApiException(failure);
    }
  }
}
