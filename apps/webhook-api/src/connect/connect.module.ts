import { Module } from '@nestjs/common';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { MetadataOutboxModule } from '../metadata-outbox/metadata-outbox.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { CallbackResponder } from './callback.responder';
import { ConnectController } from './connect.controller';
import { ConnectMetrics } from './connect.metrics';
import { ConnectService } from './connect.service';
import { ConsentLinksModule } from './consent-links.module';

/** The Google OAuth connect flow: consent link (state, PKCE, e-mail) and the callback. */
@Module({
  imports: [ConnectionStoreModule, ConsentLinksModule, GoogleOAuthModule, MetadataOutboxModule, PushChannelsModule],
  controllers: [ConnectController],
  providers: [ConnectService, CallbackResponder, ConnectMetrics],
})
export class ConnectModule {}
