import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { MailService } from './mail.service';

/** Outgoing e-mail over SMTP_URL, from MAIL_FROM. */
@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => ({
        transport: {
          // Spread, not `url`: given a `url`, nodemailer ignores every other transport option.
          ...parseConnectionUrl(config.SMTP_URL),
          // Reuse sessions: a new SMTP session per e-mail dominated the connect latency.
          pool: true,
          maxConnections: config.SMTP_MAX_CONNECTIONS,
          connectionTimeout: config.OUTBOUND_TIMEOUT_MS,
          greetingTimeout: config.OUTBOUND_TIMEOUT_MS,
          socketTimeout: config.OUTBOUND_TIMEOUT_MS,
        },
        defaults: { from: config.MAIL_FROM },
      }),
    }),
  ],
  providers: [MailService],
  exports: [MailService],
})
export class MailModule {}
