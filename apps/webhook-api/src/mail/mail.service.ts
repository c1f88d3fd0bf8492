import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { AuthorizationLinkReason, authorizationLinkMail } from './authorization-link.mail';

/** The one way out to the SMTP server. Sends are awaited with a timeout and report whether SMTP accepted them. */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly mailer: MailerService,
    private readonly config: WebhookApiConfig,
  ) {}

  /** E-mails the consent link; false when the SMTP server did not accept it (the caller decides what then). */
  async sendAuthorizationLink(to: string, authUrl: string, reason: AuthorizationLinkReason): Promise<boolean> {
    const mail = authorizationLinkMail(authUrl, reason, this.config.OAUTH_STATE_TTL_SECONDS);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('SMTP send timed out')), this.config.OUTBOUND_TIMEOUT_MS);
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
