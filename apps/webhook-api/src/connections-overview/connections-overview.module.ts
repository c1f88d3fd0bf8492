import { Module } from '@nestjs/common';
import { CalendarSyncModule } from '../calendar-sync/calendar-sync.module';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { ConnectionsOverviewController } from './connections-overview.controller';
import { ConnectionsOverviewService } from './connections-overview.service';

/** The operator's view of every connection: read only, from the stores of the features that own the data. */
@Module({
  imports: [ConnectionStoreModule, CalendarSyncModule, PushChannelsModule, DeliveriesModule],
  controllers: [ConnectionsOverviewController],
  providers: [ConnectionsOverviewService],
})
export class ConnectionsOverviewModule {}
