import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConnectorsModule } from '../connectors/connectors.module';
import { WebhookApiClientModule } from '../webhook-api-client/webhook-api-client.module';
import { GoogleCalendarConnectorController } from './google-calendar-connector.controller';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { GoogleCalendarController } from './google-calendar.controller';
import { GoogleCalendarService } from './google-calendar.service';

/**
 * Everything Google Calendar in database-api, done by webhook-api: the google-calendar
 * connector (consent link, disconnect, its connection ended before it is removed) and the
 * SPA's calendar work on the subaccount's connection.
 */
@Module({
  imports: [AuthModule, ConnectorsModule, WebhookApiClientModule],
  controllers: [GoogleCalendarConnectorController, GoogleCalendarController],
  providers: [GoogleCalendarConnectorService, GoogleCalendarService],
})
export class GoogleCalendarModule {}
