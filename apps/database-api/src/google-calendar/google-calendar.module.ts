import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConnectorsModule } from '../connectors/connectors.module';
import { WebhookApiClientModule } from '../webhook-api-client/webhook-api-client.module';
import { GoogleCalendarConnectorController } from './google-calendar-connector.controller';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { GoogleCalendarController } from './google-calendar.controller';
import { GoogleCalendarService } from './google-calendar.service';
import { GroupAvailabilityController } from './group-availability.controller';
import { GroupAvailabilityService } from './group-availability.service';
import { WatchedCalendarsController } from './watched-calendars.controller';

/**
 * Everything Google Calendar in database-api, done by webhook-api: the google-calendar
 * connector (consent link, disconnect, its connection ended before it is removed) and the
 * SPA's calendar work on the subaccount's connection, and on several subaccounts' at once
 * (availability of a group).
 */
@Module({
  imports: [AuthModule, ConnectorsModule, WebhookApiClientModule],
  controllers: [
    GoogleCalendarConnectorController,
    GoogleCalendarController,
    GroupAvailabilityController,
    WatchedCalendarsController,
  ],
  providers: [GoogleCalendarConnectorService, GoogleCalendarService, GroupAvailabilityService],
})
export class GoogleCalendarModule {}
