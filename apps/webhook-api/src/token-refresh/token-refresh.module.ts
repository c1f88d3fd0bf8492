import { Module } from '@nestjs/common';
import { ConsentLinksModule } from '../connect/consent-links.module';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { LeasesModule } from '../leases/leases.module';
import { MetadataOutboxModule } from '../metadata-outbox/metadata-outbox.module';
import { AccessLossService } from './access-loss.service';
import { AccessTokenService } from './access-token.service';
import { ConnectionRefreshSweeper } from './connection-refresh.sweeper';

/** Keeping a connection's access alive: refresh under a lease, the daily sweep, losing access. */
@Module({
  imports: [ConnectionStoreModule, ConsentLinksModule, GoogleOAuthModule, LeasesModule, MetadataOutboxModule],
  providers: [AccessTokenService, AccessLossService, ConnectionRefreshSweeper],
  exports: [AccessTokenService],
})
export class TokenRefreshModule {}
