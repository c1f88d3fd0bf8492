import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from './connection.repository';
import { GoogleCalendarConnection, GoogleCalendarConnectionSchema } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';

/** Stored Google Calendar connections and the encryption of their tokens. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
  ],
  providers: [
    ConnectionRepository,
    {
      provide: TokenCipher,
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => new TokenCipher(config.TOKEN_ENCRYPTION_KEY),
    },
  ],
  exports: [ConnectionRepository, TokenCipher],
})
export class ConnectionsModule {}
