import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { GoogleApiModule } from '../google/google-api.module';
import { LeasesModule } from '../leases/leases.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { CalendarEventMemory, CalendarEventMemorySchema } from './calendar-event-memory.schema';
import { CalendarEventMemoryRepository } from './calendar-event-memory.repository';
import { CalendarSyncMetrics } from './calendar-sync.metrics';
import { CalendarSyncScheduler } from './calendar-sync.scheduler';
import { CalendarSyncService } from './calendar-sync.service';
import { CalendarSyncState, CalendarSyncStateSchema } from './calendar-sync-state.schema';
import { CalendarSyncStateRepository } from './calendar-sync-state.repository';
import { EventMemory } from './event-memory';

/**
 * Each connection's calendar synced (on pushes, when due, afresh on 410) and its changes
 * handed to the delivery outbox, cancelled events completed from what was seen of them (EventMemory).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: CalendarSyncState.name, schema: CalendarSyncStateSchema },
      { name: CalendarEventMemory.name, schema: CalendarEventMemorySchema },
    ]),
    ConnectionStoreModule,
    DeliveriesModule,
    GoogleApiModule,
    LeasesModule,
    PushChannelsModule,
  ],
  providers: [
    CalendarEventMemoryRepository,
    CalendarSyncMetrics,
    CalendarSyncScheduler,
    CalendarSyncService,
    CalendarSyncStateRepository,
    EventMemory,
  ],
  exports: [CalendarSyncScheduler, CalendarSyncService, CalendarSyncStateRepository],
})
export class CalendarSyncModule {}
