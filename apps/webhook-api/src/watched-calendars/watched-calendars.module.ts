import { Module } from '@nestjs/common';
import { CalendarSyncModule } from '../calendar-sync/calendar-sync.module';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleApiModule } from '../google/google-api.module';
import { PushChannelsModule } from '../push-channels/push-channels.module';
import { WatchedCalendarsController } from './watched-calendars.controller';
import { WatchedCalendarsService } from './watched-calendars.service';

/** Which calendars of a connection are watched for changes. */
@Module({
  imports: [CalendarSyncModule, ConnectionStoreModule, GoogleApiModule, PushChannelsModule],
  controllers: [WatchedCalendarsController],
  providers: [WatchedCalendarsService],
})
export class WatchedCalendarsModule {}
