import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { MailModule } from '../mail/mail.module';
import { MetadataOutboxModule } from '../metadata-outbox/metadata-outbox.module';
import { CallbackResponder } from './callback.responder';
import { ConnectController } from './connect.controller';
import { ConnectMetrics } from './connect.metrics';
import { ConnectService } from './connect.service';
import { ConsentLinkService } from './consent-link.service';
import { OAuthStateRepository } from './oauth-state.repository';
import { OAuthState, OAuthStateSchema } from './oauth-state.schema';

/** The Google OAuth connect flow: consent link (state, PKCE, e-mail) and the callback. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: OAuthState.name, schema: OAuthStateSchema }]),
    ConnectionStoreModule,
    GoogleOAuthModule,
    MailModule,
    MetadataOutboxModule,
  ],
  controllers: [ConnectController],
  providers: [ConnectService, ConsentLinkService, CallbackResponder, ConnectMetrics, OAuthStateRepository],
  exports: [ConsentLinkService],
})
export class ConnectModule {}
