import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleApiModule } from '../google/google-api.module';
import { LeasesModule } from '../leases/leases.module';
import { ChannelIdKey, ChannelIdKeySchema } from './channel-id-key.schema';
import { ChannelIdKeyRepository } from './channel-id-key.repository';
import { PushChannel, PushChannelSchema } from './push-channel.schema';
import { PushChannelRepository } from './push-channel.repository';
import { PushChannelsMetrics } from './push-channels.metrics';
import { PushChannelsService } from './push-channels.service';
import { PushNotifications } from './push-notifications';
import { PushNotificationsController } from './push-notifications.controller';

/** Google push channels on each connection's calendar: open, receive and verify pushes, renew, stop, drop. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PushChannel.name, schema: PushChannelSchema },
      { name: ChannelIdKey.name, schema: ChannelIdKeySchema },
    ]),
    ConnectionStoreModule,
    GoogleApiModule,
    LeasesModule,
  ],
  controllers: [PushNotificationsController],
  providers: [
    ChannelIdKeyRepository,
    PushChannelRepository,
    PushChannelsMetrics,
    PushChannelsService,
    PushNotifications,
  ],
  exports: [PushChannelRepository, PushChannelsService, PushNotifications],
})
export class PushChannelsModule {}
