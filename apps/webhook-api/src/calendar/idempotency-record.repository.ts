import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { IdempotencyRecord } from './idempotency-record.schema';

/** The only code that touches the idempotency records. */
@Injectable()
export class IdempotencyRecordRepository {
  constructor(
    @InjectModel(IdempotencyRecord.name) private readonly model: Model<IdempotencyRecord>,
    private readonly writes: DocumentWrites,
  ) {}

  /** Claims the key for this request; false when a record for it exists already. */
  async tryInsert(record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.model.create(record);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  find(id: string): Promise<IdempotencyRecord | null> {
    return this.model.findById(id).lean().exec();
  }

  /** Takes over a record whose holder let its lease lapse; true for exactly one taker. */
  async takeOver(id: string, expectedLeaseUntil: Date, leaseUntil: Date): Promise<boolean> {
    const result = await this.writes.run(id, () =>
      this.model
        .updateOne({ _id: id, state: 'in_progress', leaseUntil: expectedLeaseUntil }, { $set: { leaseUntil } })
        .exec(),
    );
    return result.modifiedCount === 1;
  }

  async complete(id: string, response: Record<string, unknown>): Promise<void> {
    await this.writes.run(id, () => this.model.updateOne({ _id: id }, { $set: { state: 'done', response } }).exec());
  }

  /** Forgets a key whose work failed, so a retry does it again. */
  async release(id: string): Promise<void> {
    await this.writes.run(id, () => this.model.deleteOne({ _id: id, state: 'in_progress' }).exec());
  }

  /** Removes one expired record (before the key is used again). */
  async deleteExpired(id: string, now: Date): Promise<void> {
    await this.writes.run(id, () => this.model.deleteOne({ _id: id, expiresAt: { $lte: now } }).exec());
  }

  async sweepExpired(now: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lte: now } }).exec();
    return result.deletedCount;
  }
}
