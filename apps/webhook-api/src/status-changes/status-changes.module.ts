import { Module } from '@nestjs/common';
import { CalendarSyncModule } from '../calendar-sync/calendar-sync.module';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { LeasesModule } from '../leases/leases.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { ConnectionStatusRelay } from './connection-status.relay';

/**
 * What a connection's status transition owes, worked off after it: the
 * `connection.status_changed` delivery, and the baseline sync and push channel of a
 * connected calendar (or their end for the others).
 */
@Module({
  imports: [CalendarSyncModule, ConnectionStoreModule, DeliveriesModule, LeasesModule, PushChannelsModule],
  providers: [ConnectionStatusRelay],
})
export class StatusChangesModule {}
