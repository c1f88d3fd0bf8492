import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { GoogleApiModule } from '../google/google-api.module';
import { LeasesModule } from '../leases/leases.module';
import { AvailabilityService } from './availability.service';
import { CalendarController } from './calendar.controller';
import { CalendarMetrics } from './calendar.metrics';
import { EventsService } from './events.service';
import { FreeBusyService } from './free-busy.service';
import { GroupAvailabilityController } from './group-availability.controller';
import { GroupAvailabilityService } from './group-availability.service';
import { IdempotencyRecordRepository } from './idempotency-record.repository';
import { IdempotencyRecord, IdempotencyRecordSchema } from './idempotency-record.schema';
import { IdempotencyService } from './idempotency.service';

/** Calendar work on a connection: calendars, free/busy, availability (also of a group), events, idempotency keys. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: IdempotencyRecord.name, schema: IdempotencyRecordSchema }]),
    // The connection lookup of ConnectionSubaccountGuard.
    ConnectionStoreModule,
    GoogleApiModule,
    LeasesModule,
  ],
  controllers: [CalendarController, GroupAvailabilityController],
  providers: [
    AvailabilityService,
    CalendarMetrics,
    EventsService,
    FreeBusyService,
    GroupAvailabilityService,
    IdempotencyRecordRepository,
    IdempotencyService,
  ],
})
export class CalendarModule {}
