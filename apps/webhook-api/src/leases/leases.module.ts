import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeaseRepository } from './lease.repository';
import { Lease, LeaseSchema } from './lease.schema';

/** Cross-replica leases on named pieces of work. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Lease.name, schema: LeaseSchema }])],
  providers: [LeaseRepository],
  exports: [LeaseRepository],
})
export class LeasesModule {}
