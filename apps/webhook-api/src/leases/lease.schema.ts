import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const LEASE_COLLECTION = 'leases';

/**
 * A lease on one piece of work (`_id` names it): held by one acquisition (`token`) until
 * `until`, which its holder pushes on while the work runs.
 */
@Schema({ collection: LEASE_COLLECTION, versionKey: false })
export class Lease {
  @Prop({ type: String, required: true })
  _id!: string;

  /** The fencing token of the acquisition holding it: new for every acquisition. */
  @Prop({ type: String, required: true })
  token!: string;

  /** The process holding it, for operators (not used to decide anything). */
  @Prop({ type: String, required: true })
  holder!: string;

  @Prop({ type: Date, required: true })
  until!: Date;
}

export const LeaseSchema = SchemaFactory.createForClass(Lease);
