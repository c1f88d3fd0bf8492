import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { GoogleApiModule } from '../google/google-api.module';
import { LeasesModule } from '../leases/leases.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { CalendarSyncMetrics } from './calendar-sync.metrics';
import { CalendarSyncScheduler } from './calendar-sync.scheduler';
import { CalendarSyncService } from './calendar-sync.service';
import { CalendarSyncState, CalendarSyncStateSchema } from './calendar-sync-state.schema';
import { CalendarSyncStateRepository } from './calendar-sync-state.repository';

/**
 * Each connection's calendar synced (on pushes, when due, afresh on 410) and its changes
 * handed to the delivery outbox.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: CalendarSyncState.name, schema: CalendarSyncStateSchema }]),
    ConnectionStoreModule,
    DeliveriesModule,
    GoogleApiModule,
    LeasesModule,
    PushChannelsModule,
  ],
  providers: [CalendarSyncMetrics, CalendarSyncScheduler, CalendarSyncService, CalendarSyncStateRepository],
  exports: [CalendarSyncScheduler, CalendarSyncService, CalendarSyncStateRepository],
})
export class CalendarSyncModule {}
