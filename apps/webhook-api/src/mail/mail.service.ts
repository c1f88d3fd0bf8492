import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { authorizationLinkMail } from './authorization-link.mail';

/** The one way out to the SMTP server. Sends are awaited with a timeout and never throw. */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly mailer: MailerService,
    private readonly config: WebhookApiConfig,
  ) {}

  /** E-mails the consent link; false when it could not be sent (the caller says so). */
  async sendAuthorizationLink(to: string, authUrl: string, reason: 'connect' | 'reconnect' = 'connect'): Promise<boolean> {
    const mail = authorizationLinkMail(authUrl, reason);
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
