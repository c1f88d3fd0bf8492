import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { MetadataOutboxModule } from '../metadata-outbox/metadata-outbox.module';
import { ConnectionRepository } from './connection.repository';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';
import { GoogleCalendarConnection, GoogleCalendarConnectionSchema } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';
import { TokenRotationService } from './token-rotation.service';

/** The stored connection: persistence with sealed tokens, status, disconnect, key rotation. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
    GoogleOAuthModule,
    MetadataOutboxModule,
  ],
  controllers: [ConnectionsController],
  providers: [
    ConnectionRepository,
    ConnectionsService,
    TokenRotationService,
    {
      provide: TokenCipher,
      inject: [WebhookApiConfig],
      useFactory: (config: WebhookApiConfig) => new TokenCipher(config.TOKEN_ENCRYPTION_KEY),
    },
  ],
  exports: [ConnectionRepository, TokenCipher, TokenRotationService],
})
export class ConnectionsModule {}
