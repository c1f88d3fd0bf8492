import { Injectable, Logger } from '@nestjs/common';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { TokenCipher } from '../connections/token-cipher';
import { GoogleOAuthClient } from '../google/google-oauth.client';
import { AuthorizationLinkReason } from '../mail/authorization-link.mail';
import { MailService } from '../mail/mail.service';
import { OAuthStateRepository } from './oauth-state.repository';
import { newOAuthState, newPkcePair } from './pkce';

const STATE_SWEEP_INTERVAL_MS = 60_000;

export interface SentConsentLink {
  authUrl: string;
  emailSent: boolean;
}

/**
 * Builds a consent link (a fresh single-use state and PKCE pair kept server-side, so any
 * replica can take the callback) and e-mails it: for a first connect and for a reconnect
 * after access was lost.
 */
@Injectable()
export class ConsentLinkService {
  private readonly logger = new Logger(ConsentLinkService.name);
  private lastStateSweep = 0;

  constructor(
    private readonly config: WebhookApiConfig,
    private readonly google: GoogleOAuthClient,
    private readonly states: OAuthStateRepository,
    private readonly cipher: TokenCipher,
    private readonly mail: MailService,
  ) {}

  /** `emailSent` is false when the SMTP server did not accept the e-mail. */
  /** `maxWaitMs`: how long the e-mail may take to be accepted (MailService). */
  async send(
    subaccountId: string,
    userEmail: string,
    reason: AuthorizationLinkReason,
    maxWaitMs?: number,
  ): Promise<SentConsentLink> {
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
    const emailSent = await this.mail.sendAuthorizationLink(userEmail, authUrl, reason, maxWaitMs);
    return { authUrl, emailSent };
  }

  /** Deletes expired states, at most once a minute (a full scan is too dear for every connect). */
  private sweepExpiredStates(now: Date): void {
    if (now.getTime() - this.lastStateSweep < STATE_SWEEP_INTERVAL_MS) return;
    this.lastStateSweep = now.getTime();
    this.states.deleteExpired(now).catch((error: Error) => this.logger.warn(`State sweep failed: ${error.message}`));
  }
}
