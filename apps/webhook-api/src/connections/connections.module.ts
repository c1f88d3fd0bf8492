import { Module } from '@nestjs/common';
import { GoogleOAuthModule } from '../google/google-oauth.module';
import { MetadataOutboxModule } from '../metadata-outbox/metadata-outbox.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { ConnectionStoreModule } from './connection-store.module';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';

/** A connection's status for the platform, and disconnecting it (channel stopped, grant revoked). */
@Module({
  imports: [ConnectionStoreModule, GoogleOAuthModule, MetadataOutboxModule, PushChannelsModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService],
})
export class ConnectionsModule {}
