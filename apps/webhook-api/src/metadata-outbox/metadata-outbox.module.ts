import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  GoogleCalendarConnection,
  GoogleCalendarConnectionSchema,
} from '../connections/google-calendar-connection.schema';
import { DatabaseApiClientModule } from '../database-api-client/database-api-client.module';
import { LeasesModule } from '../leases/leases.module';
import { MetadataOutboxMetrics } from './metadata-outbox.metrics';
import { MetadataOutboxRepository } from './metadata-outbox.repository';
import { MetadataUpdateWorker } from './metadata-update.worker';
import { MetadataVersionScopes } from './metadata-version-scopes';

/** Durable delivery of connection state to database-api's connector metadata. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: GoogleCalendarConnection.name, schema: GoogleCalendarConnectionSchema }]),
    DatabaseApiClientModule,
    LeasesModule,
  ],
  providers: [MetadataOutboxRepository, MetadataOutboxMetrics, MetadataUpdateWorker, MetadataVersionScopes],
  exports: [MetadataUpdateWorker],
})
export class MetadataOutboxModule {}
