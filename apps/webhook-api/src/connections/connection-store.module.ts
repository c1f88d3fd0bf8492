import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from './connection.repository';
import { ConnectionTransitions } from './connection-transitions';
import { GoogleCalendarConnection, GoogleCalendarConnectionSchema } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';
import { TokenRotationService } from './token-rotation.service';

/** The stored connection: persistence with sealed tokens and status transitions, key rotation. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
  ],
  providers: [
    ConnectionRepository,
    ConnectionTransitions,
    TokenRotationService,
    {
      provide: TokenCipher,
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => new TokenCipher(config.TOKEN_ENCRYPTION_KEY),
    },
  ],
  exports: [ConnectionRepository, ConnectionTransitions, TokenCipher, TokenRotationService],
})
export class ConnectionStoreModule {}
