import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { DatabaseApiClientModule } from '../database-api-client/database-api-client.module';
import { MetadataSyncWorker } from './metadata-sync.worker';
import { LeasesModule } from '../leases/leases.module';

/** Durable delivery of connection state to database-api's connector metadata. */
@Module({
  imports: [ConnectionsModule, DatabaseApiClientModule, LeasesModule],
  providers: [MetadataSyncWorker],
  exports: [MetadataSyncWorker],
})
export class OutboxModule {}
