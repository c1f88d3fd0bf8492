import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { MailModule } from '../mail/mail.module';
import { ConsentLinkService } from './consent-link.service';
import { OAuthStateRepository } from './oauth-state.repository';
import { OAuthState, OAuthStateSchema } from './oauth-state.schema';

/**
 * Consent links and the OAuth states they leave pending (sealed PKCE verifiers): built and
 * e-mailed for a connect (ConnectModule) and a reconnect after access was lost
 * (TokenRefreshModule), re-sealed by a key rotation. Apart from the callback, so those
 * need not depend on what the callback does (push channels, and through them Google's APIs).
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: OAuthState.name, schema: OAuthStateSchema }]),
    ConnectionStoreModule,
    GoogleOAuthModule,
    MailModule,
  ],
  providers: [ConsentLinkService, OAuthStateRepository],
  exports: [ConsentLinkService, OAuthStateRepository],
})
export class ConsentLinksModule {}
