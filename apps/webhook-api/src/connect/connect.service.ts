import { Injectable, Logger } from '@nestjs/common';
import { GoogleCalendarConnectResultDto, StartGoogleCalendarConnectDto } from '@connector-service/contracts';
import { MessageResult } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from '../connections/connection.repository';
import { TokenCipher } from '../connections/token-cipher';
import { MailService } from '../mail/mail.service';
import { MetadataSyncWorker } from '../outbox/metadata-sync.worker';
import { WebhookMetrics } from '../metrics/webhook-metrics';
import { CallbackFailureReason, CallbackOutcome } from './callback-outcome';
import {
  GOOGLE_CALENDAR_SCOPES,
  GoogleOAuthClient,
  GoogleOAuthRejectedError,
  GoogleTokens,
} from '../google/google-oauth.client';
import { OAuthStateRepository } from './oauth-state.repository';
import { newOAuthState, newPkcePair } from './pkce';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
}

const STATE_SWEEP_INTERVAL_MS = 60_000;

class CallbackFailure extends Error {
  constructor(readonly reason: CallbackFailureReason) {
    super(reason);
  }
}

/** The OAuth connect flow: consent link out, Google's callback in, connection stored. */
@Injectable()
export class GoogleCalendarConnectService {
  private readonly logger = new Logger(GoogleCalendarConnectService.name);
  private lastStateSweep = 0;

  constructor(
    private readonly config: WebhookApiConfig,
    private readonly google: GoogleOAuthClient,
    private readonly states: OAuthStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly cipher: TokenCipher,
    private readonly mail: MailService,
    private readonly metadataSync: MetadataSyncWorker,
    private readonly metrics: WebhookMetrics,
  ) {}

  /** Builds a consent link (fresh state and PKCE pair kept server-side) and e-mails it. */
  async startConnect(
    request: StartGoogleCalendarConnectDto,
    reason: 'connect' | 'reconnect' = 'connect',
  ): Promise<MessageResult<GoogleCalendarConnectResultDto>> {
    const { subaccountId, userEmail } = request;
    const now = new Date();
    const state = newOAuthState();
    const { codeVerifier, codeChallenge } = newPkcePair();
    await this.states.save(state, {
      subaccountId,
      userEmail,
      codeVerifier: this.cipher.encrypt(codeVerifier),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.OAUTH_STATE_TTL_SECONDS * 1000),
    });
    this.sweepExpiredStates(now);

    const authUrl = this.google.buildConsentUrl({ state, codeChallenge, loginHint: userEmail });
    const emailSent = await this.mail.sendAuthorizationLink(userEmail, authUrl, reason);
    const message = emailSent
      ? `Authorization link sent to ${userEmail}`
      : `Authorization link could not be e-mailed to ${userEmail}; share the authUrl with the user instead`;
    return new MessageResult({ authUrl, userEmail, subaccountId, emailSent }, message);
  }

  /**
   * Completes Google's redirect: the state is consumed first (single use, whatever
   * follows), then the code is exchanged with the PKCE verifier, the account read, and
   * the connection stored with its metadata update pending, all before the browser is
   * answered. The update itself is delivered without holding the browser.
   */
  async completeAuthorization(query: CallbackQuery): Promise<CallbackOutcome> {
    try {
      const outcome = await this.complete(query);
      this.metrics.oauthOutcomes.inc({ outcome: 'connected' });
      return outcome;
    } catch (error) {
      if (error instanceof CallbackFailure) {
        this.logger.warn(`OAuth callback refused: ${error.reason}`);
        this.metrics.oauthOutcomes.inc({ outcome: error.reason });
        return { connected: false, reason: error.reason };
      }
      throw error;
    }
  }

  private async complete(query: CallbackQuery): Promise<CallbackOutcome> {
    if (!query.state) throw new CallbackFailure('missing_state');
    const pending = await this.states.consume(query.state);
    if (!pending) throw new CallbackFailure('invalid_state');
    if (pending.expiresAt.getTime() <= Date.now()) throw new CallbackFailure('state_expired');
    if (query.error) throw new CallbackFailure(query.error === 'access_denied' ? 'access_denied' : 'google_error');
    if (!query.code) throw new CallbackFailure('missing_code');

    const tokens = await this.googleStep(() =>
      this.google.exchangeCode(query.code as string, this.cipher.decrypt(pending.codeVerifier)),
    );
    if (!GOOGLE_CALENDAR_SCOPES.every((scope) => tokens.scopes.includes(scope))) {
      throw new CallbackFailure('scope_not_granted');
    }
    const account = await this.googleStep(() => this.google.fetchAccount(tokens.accessToken));
    await this.requireRefreshToken(pending.subaccountId, tokens);

    const saved = await this.connections.saveConnected(
      {
        subaccountId: pending.subaccountId,
        userEmail: pending.userEmail,
        googleEmail: account.email,
        ...(account.id ? { googleUserId: account.id } : {}),
        scopes: tokens.scopes,
        accessToken: this.cipher.encrypt(tokens.accessToken),
        ...(tokens.refreshToken ? { refreshToken: this.cipher.encrypt(tokens.refreshToken) } : {}),
        accessTokenExpiresAt: tokens.expiresAt,
      },
      new Date(),
    );
    const calendarId = saved._id.toString();
    this.metadataSync.deliverSoon(calendarId);
    return { connected: true, calendarId, subaccountId: saved.subaccountId, googleEmail: saved.googleEmail };
  }

  /** Without a refresh token (new or kept from before) the connection could not last an hour. */
  private async requireRefreshToken(subaccountId: string, tokens: GoogleTokens): Promise<void> {
    if (tokens.refreshToken) return;
    const existing = await this.connections.findBySubaccount(subaccountId);
    if (!existing?.refreshToken) throw new CallbackFailure('no_refresh_token');
  }

  private async googleStep<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof GoogleOAuthRejectedError) throw new CallbackFailure('token_exchange_failed');
      this.logger.warn(`Google unavailable during the callback: ${(error as Error).message}`);
      throw new CallbackFailure('google_unavailable');
    }
  }

  /** Deletes expired states, at most once a minute (a full scan is too dear for every connect). */
  private sweepExpiredStates(now: Date): void {
    if (now.getTime() - this.lastStateSweep < STATE_SWEEP_INTERVAL_MS) return;
    this.lastStateSweep = now.getTime();
    this.states.deleteExpired(now).catch((error: Error) => this.logger.warn(`State sweep failed: ${error.message}`));
  }
}
