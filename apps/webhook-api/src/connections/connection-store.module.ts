import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from './connection.repository';
import { ConnectionTransitions } from './connection-transitions';
import { GoogleCalendarConnection, GoogleCalendarConnectionSchema } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';

/** The stored connection: persistence with sealed tokens and status transitions. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
  ],
  providers: [
    ConnectionRepository,
    ConnectionTransitions,
    {
      provide: TokenCipher,
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => new TokenCipher(config.TOKEN_ENCRYPTION_KEY),
    },
  ],
  exports: [ConnectionRepository, ConnectionTransitions, TokenCipher],
})
export class ConnectionStoreModule {}
