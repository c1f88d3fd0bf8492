import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

export const IDEMPOTENCY_RECORD_COLLECTION = 'idempotencyrecords';

/**
 * One `Idempotency-Key` of one connection: the hash of the request it came with, and once
 * done, the answer it got. `_id` is a hash of (connection, key), so of two concurrent
 * requests with one key exactly one insert succeeds (on MongoDB and FerretDB alike).
 * `leaseUntil` lets another request take over the work of one that died. Expiry is
 * enforced in code (FerretDB has no TTL index) and expired records are swept.
 */
@Schema({ collection: IDEMPOTENCY_RECORD_COLLECTION, versionKey: false })
export class IdempotencyRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Types.ObjectId, required: true })
  calendarId!: Types.ObjectId;

  @Prop({ required: true })
  requestHash!: string;

  /** The Google event id derived from the connection and the key. */
  @Prop({ required: true })
  googleEventId!: string;

  @Prop({ type: String, enum: ['in_progress', 'done'], required: true })
  state!: 'in_progress' | 'done';

  /** The answer given (the event), once done. */
  @Prop({ type: Object, default: null })
  response!: Record<string, unknown> | null;

  @Prop({ type: Date, required: true })
  leaseUntil!: Date;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const IdempotencyRecordSchema = SchemaFactory.createForClass(IdempotencyRecord);
IdempotencyRecordSchema.index({ expiresAt: 1 });
