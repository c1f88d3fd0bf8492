import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from './connection.repository';
import { GoogleCalendarConnection, GoogleCalendarConnectionSchema } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';
import { WebhookMetrics } from '../metrics/webhook-metrics';

/** Stored Google Calendar connections, the encryption of their tokens, and their metrics. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
  ],
  providers: [
    ConnectionRepository,
    WebhookMetrics,
    {
      provide: TokenCipher,
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => new TokenCipher(config.TOKEN_ENCRYPTION_KEY),
    },
  ],
  exports: [ConnectionRepository, TokenCipher, WebhookMetrics],
})
export class ConnectionsModule {}
