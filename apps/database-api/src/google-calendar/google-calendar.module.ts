import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConnectorsModule } from '../connectors/connectors.module';
import { WebhookApiClientModule } from '../webhook-api-client/webhook-api-client.module';
import { GoogleCalendarController } from './google-calendar.controller';
import { GoogleCalendarService } from './google-calendar.service';

/** The SPA's calendar routes on a subaccount's Google Calendar connection, proxied to webhook-api. */
@Module({
  imports: [AuthModule, ConnectorsModule, WebhookApiClientModule],
  controllers: [GoogleCalendarController],
  providers: [GoogleCalendarService],
})
export class GoogleCalendarModule {}
