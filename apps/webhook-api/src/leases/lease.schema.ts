import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const LEASE_COLLECTION = 'leases';

/** A lock on one piece of work (`_id` names it), held by `owner` until `until`. */
@Schema({ collection: LEASE_COLLECTION, versionKey: false })
export class Lease {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  owner!: string;

  @Prop({ type: Date, required: true })
  until!: Date;
}

export const LeaseSchema = SchemaFactory.createForClass(Lease);
