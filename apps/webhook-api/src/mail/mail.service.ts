import { Injectable, Logger } from '@nestjs/common';
import { remainingMs } from '@connector-service/app-core';
import { MailerService } from '@nestjs-modules/mailer';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { AuthorizationLinkReason, authorizationLinkMail } from './authorization-link.mail';

/**
 * The one way out to the SMTP server. Sends are awaited (never past the deadline of the
 * request being served) and report whether SMTP accepted them.
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly mailer: MailerService,
    private readonly config: WebhookApiConfig,
  ) {}

  /**
   * E-mails the consent link; false when the SMTP server did not accept it within `maxWaitMs`
   * (default OUTBOUND_TIMEOUT_MS, for an answer that waits on it; each SMTP step has that long
   * in any case). Work off a request may wait longer, so that a slow server's acceptance is
   * not taken for a failure and sent again.
   */
  async sendAuthorizationLink(
    to: string,
    authUrl: string,
    reason: AuthorizationLinkReason,
    maxWaitMs = this.config.OUTBOUND_TIMEOUT_MS,
  ): Promise<boolean> {
    const mail = authorizationLinkMail(authUrl, reason, this.config.OAUTH_STATE_TTL_SECONDS);
    const waitMs = Math.min(maxWaitMs, remainingMs() ?? Infinity);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`SMTP send not accepted within ${waitMs} ms`)), waitMs);
    });
    try {
      await Promise.race([this.mailer.sendMail({ to, ...mail }), timeout]);
      return true;
    } catch (error) {
      this.logger.warn(`Could not e-mail the authorization link: ${(error as Error).message}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
