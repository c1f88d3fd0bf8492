import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeaseRepository } from './lease.repository';
import { Lease, LeaseSchema } from './lease.schema';
import { LeaseService } from './lease.service';

/** Cross-replica leases on named pieces of work. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Lease.name, schema: LeaseSchema }])],
  providers: [LeaseRepository, LeaseService],
  exports: [LeaseService],
})
export class LeasesModule {}
