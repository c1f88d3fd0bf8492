import { Injectable, Logger } from '@nestjs/common';
import {
  ConnectionStatus,
  GoogleCalendarConnectResultDto,
  StartGoogleCalendarConnectDto,
} from '@connector-service/contracts';
import { MessageResult } from '@connector-service/app-core';
import { ConnectionRepository } from '../connections/connection.repository';
import { isSameGoogleAccount } from '../connections/google-account';
import { TokenCipher } from '../connections/token-cipher';
import { GoogleOAuthRejectedError } from '../google/google-errors';
import { GOOGLE_CALENDAR_SCOPES, GoogleAccount, GoogleOAuthClient } from '../google/google-oauth.client';
import { MetadataUpdateWorker } from '../metadata-outbox/metadata-update.worker';
import { PushChannelsService } from '../push-channels/push-channels.service';
import { CallbackFailureReason, CallbackOutcome } from './callback-outcome';
import { ConnectMetrics } from './connect.metrics';
import { ConsentLinkService } from './consent-link.service';
import { OAuthStateRepository } from './oauth-state.repository';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
}

class CallbackFailure extends Error {
  constructor(readonly reason: CallbackFailureReason) {
    super(reason);
  }
}

/** The OAuth connect flow: consent link out, Google's callback in, connection stored. */
@Injectable()
export class ConnectService {
  private readonly logger = new Logger(ConnectService.name);

  constructor(
    private readonly consentLinks: ConsentLinkService,
    private readonly google: GoogleOAuthClient,
    private readonly states: OAuthStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly cipher: TokenCipher,
    private readonly metadataUpdates: MetadataUpdateWorker,
    private readonly pushChannels: PushChannelsService,
    private readonly metrics: ConnectMetrics,
  ) {}

  /** Builds a consent link and e-mails it; the link works even when the e-mail did not go out. */
  async startConnect(request: StartGoogleCalendarConnectDto): Promise<MessageResult<GoogleCalendarConnectResultDto>> {
    const { subaccountId, userEmail } = request;
    const { authUrl, emailSent } = await this.consentLinks.send(subaccountId, userEmail, 'connect');
    const message = emailSent
      ? `Authorization link sent to ${userEmail}`
      : `Authorization link could not be e-mailed to ${userEmail}; share the authUrl with the user instead`;
    return new MessageResult({ authUrl, userEmail, subaccountId, emailSent }, message);
  }

  /**
   * Completes Google's redirect: the state is consumed first (single use, whatever
   * follows), then the code is exchanged with the PKCE verifier, the account read, and
   * the connection stored with its metadata update pending, all before the browser is
   * answered. The update itself is delivered without holding the browser. Never throws:
   * anything unexpected is the outcome `internal_error`, so the browser always gets a page.
   */
  async completeAuthorization(query: CallbackQuery): Promise<CallbackOutcome> {
    try {
      const outcome = await this.complete(query);
      this.metrics.callbackOutcomes.inc({ outcome: 'connected' });
      return outcome;
    } catch (error) {
      const reason = error instanceof CallbackFailure ? error.reason : CallbackFailureReason.InternalError;
      if (error instanceof CallbackFailure) this.logger.warn(`OAuth callback refused: ${reason}`);
      else this.logger.error(`OAuth callback failed: ${(error as Error).message}`, (error as Error).stack);
      this.metrics.callbackOutcomes.inc({ outcome: reason });
      return { connected: false, reason };
    }
  }

  private async complete(query: CallbackQuery): Promise<CallbackOutcome> {
    if (!query.state) throw new CallbackFailure(CallbackFailureReason.MissingState);
    const pending = await this.states.consume(query.state);
    if (!pending) throw new CallbackFailure(CallbackFailureReason.InvalidState);
    if (pending.expiresAt.getTime() <= Date.now()) throw new CallbackFailure(CallbackFailureReason.StateExpired);
    if (query.error) {
      throw new CallbackFailure(
        query.error === 'access_denied' ? CallbackFailureReason.AccessDenied : CallbackFailureReason.GoogleError,
      );
    }
    if (!query.code) throw new CallbackFailure(CallbackFailureReason.MissingCode);
    const code = query.code;
    const codeVerifier = this.cipher.decrypt(pending.codeVerifier);

    const tokens = await this.googleStep(() => this.google.exchangeCode(code, codeVerifier));
    if (!GOOGLE_CALENDAR_SCOPES.every((scope) => tokens.scopes.includes(scope))) {
      throw new CallbackFailure(CallbackFailureReason.ScopeNotGranted);
    }
    const account = await this.googleStep(() => this.google.fetchAccount(tokens.accessToken));
    // Without a new refresh token the consent is refused unless one of this account may be kept (saveConnected).
    if (tokens.refreshToken) await this.stopChannelsOfReplacedAccount(pending.subaccountId, account);

    const outcome = await this.connections.saveConnected(
      {
        subaccountId: pending.subaccountId,
        userEmail: pending.userEmail,
        googleEmail: account.email,
        ...(account.id ? { googleUserId: account.id } : {}),
        scopes: tokens.scopes,
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        accessTokenExpiresAt: tokens.expiresAt,
      },
      new Date(),
    );
    if ('refused' in outcome) throw new CallbackFailure(CallbackFailureReason.NoRefreshToken);
    const saved = outcome.saved;
    const calendarId = saved._id.toString();
    this.metadataUpdates.deliverSoon(calendarId);
    return { connected: true, calendarId, subaccountId: saved.subaccountId, googleEmail: saved.googleEmail };
  }

  /**
   * A consent of another Google account is about to replace a connected one: the old
   * account's push channels are stopped now, with its own grant (Google ties a channel to
   * the user who opened it), which is gone once the new tokens are stored. Channels this
   * misses are stopped after the switch with the new grant (PushChannelsService.ensureOpen),
   * or lapse at Google; their pushes are ignored either way.
   */
  private async stopChannelsOfReplacedAccount(subaccountId: string, account: GoogleAccount): Promise<void> {
    const existing = await this.connections.findBySubaccount(subaccountId);
    const consented = { googleEmail: account.email, ...(account.id ? { googleUserId: account.id } : {}) };
    if (existing?.status !== ConnectionStatus.Connected || isSameGoogleAccount(existing, consented)) return;
    try {
      await this.pushChannels.stopAll(existing._id.toString());
    } catch (error) {
      this.logger.warn(
        `Push channels of ${existing._id.toString()} could not be stopped before the switch of accounts: ${(error as Error).message}`,
      );
    }
  }

  private async googleStep<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof GoogleOAuthRejectedError)
        throw new CallbackFailure(CallbackFailureReason.TokenExchangeFailed);
      this.logger.warn(`Google unavailable during the callback: ${(error as Error).message}`);
      throw new CallbackFailure(CallbackFailureReason.GoogleUnavailable);
    }
  }
}
