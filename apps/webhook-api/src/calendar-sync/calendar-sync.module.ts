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
import { ConnectionStatusRelay } from './connection-status.relay';
import { NotificationsController } from './notifications.controller';

/**
 * Change notifications from Google to the platform: pushes received, each connection's
 * calendar synced (incrementally, periodically, afresh on 410), changes and status
 * transitions handed to the delivery outbox.
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
  controllers: [NotificationsController],
  providers: [
    CalendarSyncMetrics,
    CalendarSyncScheduler,
    CalendarSyncService,
    CalendarSyncStateRepository,
    ConnectionStatusRelay,
  ],
})
export class CalendarSyncModule {}
