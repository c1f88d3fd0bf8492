import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { MailService } from './mail.service';

/** Outgoing e-mail over SMTP_URL, from MAIL_FROM. */
@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => ({
        transport: {
          url: config.SMTP_URL,
          // Reuse connections: a new SMTP session per e-mail dominated the connect latency.
          pool: true,
          maxConnections: 5,
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
