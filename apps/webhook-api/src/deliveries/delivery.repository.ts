import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import { DeliveryStatus } from '@connector-service/contracts';
import type { Model } from 'mongoose';
import { DELIVERED_MODEL, Delivery } from './delivery.schema';

const MAX_APPEND_RACES = 50;

export type NewDelivery = Omit<
  Delivery,
  | 'position'
  | 'status'
  | 'attempts'
  | 'nextAttemptAt'
  | 'lastError'
  | 'lastStatusCode'
  | 'firstAttemptAt'
  | 'deliveredAt'
>;

/**
 * The `deliveries` collection's only door (and its archive, `delivereddeliveries`).
 *
 * Positions (event `sequence`s) are allocated by insert: read the stream's last position,
 * insert the next one; the unique index on (stream, position) lets exactly one of several
 * writers (replicas included) have a position, and the loser reads again. Inserts against a
 * unique index are atomic on MongoDB and on FerretDB 1.x alike, unlike a counter updated with
 * `$inc` (FerretDB applies that as read, modify, replace). A stream's latest delivery always
 * stays in `deliveries` (only delivered ones below it are archived), so the last position
 * never goes back and there are no gaps.
 *
 * Archiving keeps `deliveries` small: FerretDB 1.x answers every lookup, by `_id` too, by
 * reading the collection whole, so a collection that grew with every delivery made each
 * delivery slower than the one before.
 */
@Injectable()
export class DeliveryRepository implements OnModuleInit {
  constructor(
    @InjectModel(Delivery.name) private readonly model: Model<Delivery>,
    @InjectModel(DELIVERED_MODEL) private readonly delivered: Model<Delivery>,
    private readonly writes: DocumentWrites,
  ) {}

  /** The unique index must exist before the first append relies on it. */
  async onModuleInit(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Stores a pending delivery at the stream's next position; `build` gets that position. */
  async append(stream: string, build: (position: number) => NewDelivery): Promise<Delivery> {
    // One append per stream at a time in this process (fewer lost races); replicas race on the index.
    return this.writes.run(`delivery-stream:${stream}`, async () => {
      for (let race = 0; race < MAX_APPEND_RACES; race += 1) {
        const last = await this.model
          .findOne({ stream }, { position: 1 })
          .sort({ position: -1 })
          .lean<{ position: number }>()
          .exec();
        const position = (last?.position ?? 0) + 1;
        const delivery: Delivery = {
          ...build(position),
          position,
          status: DeliveryStatus.Pending,
          attempts: 0,
          nextAttemptAt: null,
          lastError: null,
          lastStatusCode: null,
          firstAttemptAt: null,
          deliveredAt: null,
        };
        delivery.nextAttemptAt = delivery.createdAt;
        try {
          await this.model.create(delivery);
          return delivery;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
      throw new Error(`Could not allocate a position in delivery stream ${stream}`);
    });
  }

  /** A delivery still to do (or its stream's latest), else an archived one. */
  async findById(id: string): Promise<Delivery | null> {
    return (
      (await this.model.findById(id).lean<Delivery>().exec()) ??
      (await this.delivered.findById(id).lean<Delivery>().exec())
    );
  }

  /**
   * The stream's earliest pending delivery: the only one that may be sent. The same read
   * archives the stream's delivered ones below its latest, so `deliveries` keeps only what is
   * still to do plus each stream's latest.
   */
  async head(stream: string): Promise<Delivery | null> {
    const rows = await this.model
      .find({ stream, status: { $in: [DeliveryStatus.Pending, DeliveryStatus.Delivered] } })
      .sort({ position: 1 })
      .lean<Delivery[]>()
      .exec();
    const latest = rows[rows.length - 1];
    const done = rows.filter((row) => row.status === DeliveryStatus.Delivered && row !== latest);
    if (done.length > 0) await this.archive(done);
    return rows.find((row) => row.status === DeliveryStatus.Pending) ?? null;
  }

  /** Streams with a pending delivery due by `now` (at most `limit`). */
  async dueStreams(now: Date, limit: number): Promise<string[]> {
    const streams = (await this.model
      .distinct('stream', { status: DeliveryStatus.Pending, nextAttemptAt: { $lte: now } })
      .exec()) as string[];
    return streams.slice(0, limit);
  }

  /**
   * The stream's later pending deliveries wait until `until` (when its head is tried again),
   * so the poll does not visit a blocked stream on every tick.
   */
  async deferFollowers(stream: string, afterPosition: number, until: Date): Promise<void> {
    await this.model
      .updateMany(
        { stream, status: DeliveryStatus.Pending, position: { $gt: afterPosition }, nextAttemptAt: { $lt: until } },
        { $set: { nextAttemptAt: until } },
      )
      .exec();
  }

  /** The stream's untried deliveries are due now (its head that had failed has landed). */
  async releaseFollowers(stream: string, now: Date): Promise<void> {
    await this.model
      .updateMany(
        { stream, status: DeliveryStatus.Pending, attempts: 0, nextAttemptAt: { $gt: now } },
        { $set: { nextAttemptAt: now } },
      )
      .exec();
  }

  async markDelivered(delivery: Delivery, attemptAt: Date, now: Date, statusCode: number): Promise<void> {
    await this.recordAttempt(delivery, attemptAt, {
      status: DeliveryStatus.Delivered,
      deliveredAt: now,
      nextAttemptAt: null,
      lastStatusCode: statusCode,
      lastError: null,
    });
  }

  async scheduleRetry(
    delivery: Delivery,
    attemptAt: Date,
    nextAttemptAt: Date,
    error: string,
    statusCode: number | null,
  ): Promise<void> {
    await this.recordAttempt(delivery, attemptAt, { nextAttemptAt, lastError: error, lastStatusCode: statusCode });
  }

  async markFailed(delivery: Delivery, attemptAt: Date, error: string, statusCode: number | null): Promise<void> {
    await this.recordAttempt(delivery, attemptAt, {
      status: DeliveryStatus.Failed,
      nextAttemptAt: null,
      lastError: error,
      lastStatusCode: statusCode,
    });
  }

  /** A failed delivery back to pending, due now, with a fresh retry window; false if it was not failed. */
  async requeue(id: string, now: Date): Promise<boolean> {
    const result = await this.update(id, DeliveryStatus.Failed, {
      $set: { status: DeliveryStatus.Pending, attempts: 0, firstAttemptAt: null, nextAttemptAt: now },
    });
    return result.modifiedCount === 1;
  }

  /** A page of deliveries with `status`, in id (creation) order, after the `after` id. */
  list(status: DeliveryStatus, limit: number, after?: string): Promise<Delivery[]> {
    return this.model
      .find({ status, ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Delivery[]>()
      .exec();
  }

  /** Deletes archived deliveries delivered before `before`; answers how many. */
  async pruneArchive(before: Date): Promise<number> {
    return (await this.delivered.deleteMany({ deliveredAt: { $lt: before } }).exec()).deletedCount;
  }

  count(status: DeliveryStatus): Promise<number> {
    return this.model.countDocuments({ status }).exec();
  }

  /**
   * Moves delivered deliveries to the archive: copied first, then removed (a crash between
   * leaves a copy in both, which the next head read completes).
   */
  private async archive(done: readonly Delivery[]): Promise<void> {
    for (const delivery of done) {
      try {
        await this.delivered.create(delivery);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      await this.writes.run(delivery._id, () => this.model.deleteOne({ _id: delivery._id }).exec());
    }
  }

  /** One more attempt at a pending delivery (the first starts its retry window), with what came of it. */
  private recordAttempt(delivery: Delivery, attemptAt: Date, outcome: Partial<Delivery>) {
    return this.update(delivery._id, DeliveryStatus.Pending, {
      $set: { attempts: delivery.attempts + 1, firstAttemptAt: delivery.firstAttemptAt ?? attemptAt, ...outcome },
    });
  }

  /**
   * Updates a delivery whose status is `expected`: read, then written, by `_id` alone (the one
   * filter FerretDB 1.x evaluates in SQLite instead of decoding every document). The caller
   * holds the stream's lease; DocumentWrites keeps this process's writes of it in turn.
   */
  private update(id: string, expected: DeliveryStatus, update: Record<string, unknown>) {
    return this.writes.run(id, async () => {
      const current = await this.model.findById(id, { status: 1 }).lean<Pick<Delivery, 'status'>>().exec();
      if (current?.status !== expected) return { modifiedCount: 0 };
      return this.model.updateOne({ _id: id }, update).exec();
    });
  }
}
