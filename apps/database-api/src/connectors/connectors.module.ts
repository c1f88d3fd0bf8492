import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module';
import { ConnectorKinds } from './connector-kinds';
import { ConnectorRepository } from './connector.repository';
import { ConnectorSubaccount, ConnectorSubaccountSchema } from './connector.schema';
import { ConnectorTombstone, ConnectorTombstoneSchema } from './connector-tombstone.schema';
import { ConnectorsController } from './connectors.controller';
import { ConnectorsService } from './connectors.service';

/**
 * Subaccount connectors in the `connectorsubaccount` collection, of any kind; a kind's own
 * behaviour (Google Calendar's: google-calendar/) is registered in ConnectorKinds.
 */
@Module({
  imports: [
    AuthModule,
    MongooseModule.forFeature([
      { name: ConnectorSubaccount.name, schema: ConnectorSubaccountSchema },
      { name: ConnectorTombstone.name, schema: ConnectorTombstoneSchema },
    ]),
  ],
  controllers: [ConnectorsController],
  providers: [ConnectorRepository, ConnectorsService, ConnectorKinds],
  exports: [ConnectorsService, ConnectorKinds],
})
export class ConnectorsModule {}
