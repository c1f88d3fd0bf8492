import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module';
import { ConnectorRepository } from './connector.repository';
import { ConnectorSubaccount, ConnectorSubaccountSchema } from './connector.schema';
import { ConnectorsController } from './connectors.controller';
import { ConnectorsService } from './connectors.service';
import { GoogleCalendarConnectorController } from './google-calendar-connector.controller';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { WebhookApiClientModule } from '../webhook-api-client/webhook-api-client.module';

/** Subaccount connectors in the `connectorsubaccount` collection, and the Google Calendar connector's actions. */
@Module({
  imports: [
    AuthModule,
    WebhookApiClientModule,
    MongooseModule.forFeature([{ name: ConnectorSubaccount.name, schema: ConnectorSubaccountSchema }]),
  ],
  controllers: [GoogleCalendarConnectorController, ConnectorsController],
  providers: [ConnectorRepository, ConnectorsService, GoogleCalendarConnectorService],
  exports: [ConnectorsService],
})
export class ConnectorsModule {}
