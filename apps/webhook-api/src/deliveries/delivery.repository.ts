import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import { DeliveryStatus } from '@connector-service/contracts';
import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import { DELIVERED_MODEL, Delivery } from './delivery.schema';

const MAX_APPEND_RACES = 50;
/** Streams whose last position this process keeps (see lastPositions). */
const RECENT_STREAMS = 10_000;
/** Rows of due deliveries one poll reads per round, and its rounds (each skips the streams found). */
const DUE_ROWS_PER_ROUND = 200;
const DUE_ROUNDS = 3;
/** Reads that must walk a stream in position order, on any plan the server might prefer. */
const BY_POSITION = { stream: 1, position: 1 } as const;
const ENDED = [DeliveryStatus.Delivered, DeliveryStatus.Failed];
/** Counts of one connection's deliveries by status (and failed ones by when), in either collection. */
const BY_CONNECTION = { calendarId: 1, status: 1, failedAt: 1 } as const;

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
  | 'failedAt'
>;

/**
 * The `deliveries` collection's only door (and its archive of ended ones, `delivereddeliveries`).
 *
 * Positions (event `sequence`s) are allocated by insert: read the stream's last position (or
 * remember it, see lastPositions), insert the next one; the unique index on (stream,
 * position) lets exactly one of several writers (replicas included) have a position, and the
 * loser reads again. Inserts against a unique index are atomic on MongoDB and on FerretDB 1.x
 * alike, unlike a counter updated with `$inc` (FerretDB applies that as read, modify,
 * replace). A stream's latest delivery always stays in `deliveries` (only ended ones below a
 * later ended one are archived), so the last position never goes back and there are no gaps.
 * That latest is kept past the retention too (the floor of the next position); a failed one
 * is then no longer listed nor retried.
 *
 * Every delivery costs the same few reads whatever the backlog: the head is the stream's
 * first pending one (read with the next few, a limit on the (stream, position) index), and
 * when a delivery ends, the one that ended before it moves to the archive. So `deliveries`
 * keeps what is still to do plus about one ended delivery per stream: FerretDB 1.x answers
 * every lookup by reading the collection (whole, when it sorts), so a collection that grew
 * with every delivery made each delivery slower than the one before. Failed ones are archived like delivered ones, so a
 * stream that failed for a day does not leave a day of them in its head's way; the deliveries
 * route lists failed ones from both collections until DELIVERY_ARCHIVE_RETENTION_DAYS.
 *
 * Every conditional write carries its condition in its filter (the status and attempt count
 * it was read with, or a unique insert), so it is right on MongoDB by itself; DocumentWrites
 * only keeps this process's writes of a document in turn, which FerretDB 1.x needs for that
 * (and matches the condition on the one document there, see DocumentWrites.updateOne).
 */
@Injectable()
export class DeliveryRepository implements OnModuleInit {
  constructor(
    @InjectModel(Delivery.name) private readonly model: Model<Delivery>,
    @InjectModel(DELIVERED_MODEL) private readonly archived: Model<Delivery>,
    private readonly writes: DocumentWrites,
  ) {}

  /**
   * The last position this process gave each recent stream: where its next append tries
   * first, without the read of the stream's last position (on FerretDB 1.x a read and sort
   * of the whole collection, so a burst of appends cost more with each). Never ahead of the
   * stream (positions never go back); behind it when another replica appended since, and
   * then the unique index refuses the insert and the last position is read as before.
   */
  private readonly lastPositions = new LRUCache<string, number>({ max: RECENT_STREAMS });

  /** The unique index must exist before the first append relies on it (and the prune's before it runs). */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.model.createIndexes(), this.archived.createIndexes()]);
    // Failed before failedAt was kept: their retention starts now (else they would be listed for ever).
    await this.model
      .updateMany({ status: DeliveryStatus.Failed, failedAt: null }, { $set: { failedAt: new Date() } })
      .exec();
  }

  /** Stores a pending delivery at the stream's next position; `build` gets that position. */
  async append(stream: string, build: (position: number) => NewDelivery): Promise<Delivery> {
    // One append per stream at a time in this process (fewer lost races); replicas race on the index.
    return this.writes.run(`delivery-stream:${stream}`, async () => {
      let position = (this.lastPositions.get(stream) ?? (await this.lastPosition(stream))) + 1;
      for (let race = 0; race < MAX_APPEND_RACES; race += 1) {
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
          failedAt: null,
        };
        delivery.nextAttemptAt = delivery.createdAt;
        try {
          await this.model.create(delivery);
          this.lastPositions.set(stream, position);
          return delivery;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        position = (await this.lastPosition(stream)) + 1;
      }
      throw new Error(`Could not allocate a position in delivery stream ${stream}`);
    });
  }

  private async lastPosition(stream: string): Promise<number> {
    const last = await this.model
      .findOne({ stream }, { position: 1 })
      .sort({ position: -1 })
      .hint(BY_POSITION)
      .lean<{ position: number }>()
      .exec();
    return last?.position ?? 0;
  }

  /** A delivery still to do (or its stream's last ended), else an archived one. */
  async findById(id: string): Promise<Delivery | null> {
    return (
      (await this.model.findById(id).lean<Delivery>().exec()) ??
      (await this.archived.findById(id).lean<Delivery>().exec())
    );
  }

  /**
   * The stream's earliest `limit` pending deliveries, in position order: its head (the only
   * one that may be sent) and those to send after it. One read for several deliveries:
   * FerretDB 1.x reads and sorts the whole collection for it, however few it answers.
   */
  heads(stream: string, limit: number): Promise<Delivery[]> {
    return this.model
      .find({ stream, status: DeliveryStatus.Pending })
      .sort({ position: 1 })
      .limit(limit)
      .hint(BY_POSITION)
      .lean<Delivery[]>()
      .exec();
  }

  /** The stream's latest delivery (always in `deliveries`): who enqueued last. */
  tail(stream: string): Promise<Pick<Delivery, '_id' | 'syncedFrom'> | null> {
    return this.model
      .findOne({ stream }, { _id: 1, syncedFrom: 1 })
      .sort({ position: -1 })
      .hint(BY_POSITION)
      .lean<Pick<Delivery, '_id' | 'syncedFrom'>>()
      .exec();
  }

  /** The change keys of the stream's deliveries enqueued by syncs from `syncedFrom`, ended ones included. */
  async changeKeysFrom(stream: string, syncedFrom: string): Promise<string[]> {
    const [current, ended] = await Promise.all([
      this.model.find({ stream, syncedFrom }, { changeKeys: 1 }).hint(BY_POSITION).lean<Delivery[]>().exec(),
      this.archived.find({ stream, syncedFrom }, { changeKeys: 1 }).lean<Delivery[]>().exec(),
    ]);
    return [...current, ...ended].flatMap((delivery) => delivery.changeKeys ?? []);
  }

  /**
   * Streams with a pending delivery due by `now` (at most `limit`), earliest due first, but
   * not those in `skip` (drained here already). A bounded read of the due index, `stream`
   * taken from the index: a round reads DUE_ROWS_PER_ROUND rows, and the next one skips the
   * streams found, so one stream's long backlog hides the others for at most a round.
   */
  async dueStreams(now: Date, limit: number, skip: readonly string[] = []): Promise<string[]> {
    const found: string[] = [];
    for (let round = 0; round < DUE_ROUNDS && found.length < limit; round += 1) {
      const skipped = [...skip, ...found];
      const rows = await this.model
        .find(
          {
            status: DeliveryStatus.Pending,
            nextAttemptAt: { $lte: now },
            ...(skipped.length > 0 ? { stream: { $nin: skipped } } : {}),
          },
          { _id: 0, stream: 1 },
        )
        .sort({ nextAttemptAt: 1 })
        .limit(DUE_ROWS_PER_ROUND)
        .lean<{ stream: string }[]>()
        .exec();
      for (const { stream } of rows) {
        if (found.length < limit && !found.includes(stream)) found.push(stream);
      }
      if (rows.length < DUE_ROWS_PER_ROUND) break;
    }
    return found;
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

  /** Records the attempt that landed; false (nothing written) if `delivery` is not as read any more. */
  async markDelivered(delivery: Delivery, attemptAt: Date, now: Date, statusCode: number): Promise<boolean> {
    const done = await this.recordAttempt(delivery, attemptAt, {
      status: DeliveryStatus.Delivered,
      deliveredAt: now,
      nextAttemptAt: null,
      lastStatusCode: statusCode,
      lastError: null,
    });
    if (done) await this.archiveEndedBelow(delivery.stream, delivery.position);
    return done;
  }

  /** Records a failed attempt to be retried at `nextAttemptAt`; false if `delivery` is not as read any more. */
  scheduleRetry(
    delivery: Delivery,
    attemptAt: Date,
    nextAttemptAt: Date,
    error: string,
    statusCode: number | null,
  ): Promise<boolean> {
    return this.recordAttempt(delivery, attemptAt, { nextAttemptAt, lastError: error, lastStatusCode: statusCode });
  }

  /** Records the attempt after which it is given up; false if `delivery` is not as read any more. */
  async markFailed(
    delivery: Delivery,
    attemptAt: Date,
    now: Date,
    error: string,
    statusCode: number | null,
  ): Promise<boolean> {
    const done = await this.recordAttempt(delivery, attemptAt, {
      status: DeliveryStatus.Failed,
      failedAt: now,
      nextAttemptAt: null,
      lastError: error,
      lastStatusCode: statusCode,
    });
    if (done) await this.archiveEndedBelow(delivery.stream, delivery.position);
    return done;
  }

  /**
   * A failed delivery back to pending, due now, with a fresh retry window (an archived one
   * back into `deliveries`, at its position); false if it was not failed.
   */
  async requeue(id: string, now: Date): Promise<boolean> {
    const again = {
      status: DeliveryStatus.Pending,
      attempts: 0,
      firstAttemptAt: null,
      nextAttemptAt: now,
      failedAt: null,
    };
    const result = await this.update(id, { status: DeliveryStatus.Failed }, { $set: again });
    if (result.modifiedCount === 1) return true;
    const archived = await this.archived.findOne({ _id: id, status: DeliveryStatus.Failed }).lean<Delivery>().exec();
    if (!archived) return false;
    let moved = true;
    try {
      // The unique _id is the condition: of two requeues (replicas included) one moves it.
      await this.model.create({ ...archived, ...again });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      moved = false;
    }
    await this.archived.deleteOne({ _id: id, status: DeliveryStatus.Failed }).exec();
    return moved;
  }

  /**
   * A page of deliveries with `status`, in id (creation) order, after the `after` id; failed
   * ones from both collections, only those that failed at or after `failedSince`.
   */
  async list(status: DeliveryStatus, limit: number, after?: string, failedSince?: Date): Promise<Delivery[]> {
    const filter = {
      status,
      ...(after ? { _id: { $gt: after } } : {}),
      ...(status === DeliveryStatus.Failed && failedSince ? { failedAt: { $gte: failedSince } } : {}),
    };
    const page = (model: Model<Delivery>) => model.find(filter).sort({ _id: 1 }).limit(limit).lean<Delivery[]>().exec();
    const live = await page(this.model);
    if (status !== DeliveryStatus.Failed) return live;
    // A copy in both (an archiving interrupted midway) is listed once.
    const seen = new Set(live.map((delivery) => delivery._id));
    const archived = (await page(this.archived)).filter((delivery) => !seen.has(delivery._id));
    return [...live, ...archived].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)).slice(0, limit);
  }

  /**
   * Deletes archived deliveries that were delivered or failed before `before` (each by the
   * index on its time); answers how many. A stream's latest stays in `deliveries`, the floor
   * of its positions.
   */
  async pruneArchive(before: Date): Promise<number> {
    const delivered = await this.archived.deleteMany({ deliveredAt: { $lt: before } }).exec();
    const failed = await this.archived.deleteMany({ failedAt: { $lt: before } }).exec();
    return delivered.deletedCount + failed.deletedCount;
  }

  /**
   * Per connection of `calendarIds` (those without any left out): its pending deliveries, and
   * its failed ones that failed at or after `failedSince`, from both collections, a copy left in
   * both by an interrupted archiving counted once. On MongoDB the { calendarId: 1, status: 1,
   * failedAt: 1 } index of each collection serves the counts (named by the hints, read from the
   * index alone) over these connections' entries only, whatever else the collections hold; the
   * failed ones still in `deliveries` (about one per stream) are read by it too, and their
   * copies in the archive looked up by `_id`.
   */
  async countByConnection(
    calendarIds: string[],
    failedSince: Date,
  ): Promise<Map<string, { pending: number; failed: number }>> {
    const ofConnections = { calendarId: { $in: calendarIds } };
    const failed = { ...ofConnections, status: DeliveryStatus.Failed, failedAt: { $gte: failedSince } };
    const [pending, failedLive, failedArchived] = await Promise.all([
      countPerConnection(this.model, { ...ofConnections, status: DeliveryStatus.Pending }),
      this.model
        .find(failed, { _id: 1, calendarId: 1 })
        .hint(BY_CONNECTION)
        .lean<Pick<Delivery, '_id' | 'calendarId'>[]>()
        .exec(),
      countPerConnection(this.archived, failed),
    ]);
    const copies =
      failedLive.length === 0
        ? []
        : await this.archived
            .find(
              {
                _id: { $in: failedLive.map((delivery) => delivery._id) },
                status: DeliveryStatus.Failed,
                failedAt: failed.failedAt,
              },
              { _id: 0, calendarId: 1 },
            )
            .lean<Pick<Delivery, 'calendarId'>[]>()
            .exec();
    const counts = new Map<string, { pending: number; failed: number }>();
    const add = (calendarId: string, field: 'pending' | 'failed', count: number) => {
      const entry = counts.get(calendarId) ?? { pending: 0, failed: 0 };
      entry[field] += count;
      counts.set(calendarId, entry);
    };
    for (const [calendarId, count] of pending) add(calendarId, 'pending', count);
    for (const [calendarId, count] of failedArchived) add(calendarId, 'failed', count);
    for (const delivery of failedLive) add(delivery.calendarId, 'failed', 1);
    for (const copy of copies) add(copy.calendarId, 'failed', -1);
    return counts;
  }

  count(status: DeliveryStatus): Promise<number> {
    return this.model.countDocuments({ status }).exec();
  }

  /**
   * Moves one of the stream's ended deliveries below `position` (the one that just ended) to
   * the archive: normally the only one, the one that ended before it. One per end keeps their
   * number in `deliveries` from growing (only a failed one retried by hand, ending below a
   * later one, leaves one more). Unsorted with limit 1 on purpose: FerretDB 1.x then stops
   * reading at the first match instead of reading the collection whole to sort it.
   * Copied first, then removed if still ended; a crash between leaves a copy in both, which
   * the next end completes.
   */
  private async archiveEndedBelow(stream: string, position: number): Promise<void> {
    const delivery = await this.model
      .findOne({ stream, position: { $lt: position }, status: { $in: ENDED } })
      .hint(BY_POSITION)
      .lean<Delivery>()
      .exec();
    if (!delivery) return;
    try {
      await this.archived.create(delivery);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const removed = await this.writes.run(delivery._id, () =>
      this.model.deleteOne({ _id: delivery._id, status: delivery.status }).exec(),
    );
    // Requeued meanwhile: pending again, so the failed copy goes (not when another archiver removed it).
    if (
      removed.deletedCount === 0 &&
      (await this.model.exists({ _id: delivery._id, status: DeliveryStatus.Pending }))
    ) {
      await this.archived.deleteOne({ _id: delivery._id, status: delivery.status }).exec();
    }
  }

  /**
   * One more attempt at a pending delivery (the first starts its retry window), with what came
   * of it; written only if the delivery is still pending with the attempts it was read with,
   * so a writer that is behind (another took the stream over) changes nothing.
   */
  private async recordAttempt(delivery: Delivery, attemptAt: Date, outcome: Partial<Delivery>): Promise<boolean> {
    const result = await this.update(
      delivery._id,
      { status: DeliveryStatus.Pending, attempts: delivery.attempts },
      {
        $set: { attempts: delivery.attempts + 1, firstAttemptAt: delivery.firstAttemptAt ?? attemptAt, ...outcome },
      },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Updates the delivery `id` if it is as `expected`: one updateOne whose filter carries the
   * condition on MongoDB (atomic per document there); on FerretDB 1.x DocumentWrites matches
   * it on the one document read by `_id` (see DocumentWrites.updateOne).
   */
  private update(id: string, expected: Pick<Delivery, 'status'> & Partial<Pick<Delivery, 'attempts'>>, update: object) {
    return this.writes.updateOne(this.model, { _id: id, ...expected }, update);
  }
}

/** How many deliveries matching `filter` each connection has, counted off the BY_CONNECTION index. */
async function countPerConnection(model: Model<Delivery>, filter: object): Promise<Map<string, number>> {
  const groups = await model
    .aggregate<{ _id: string; count: number }>([
      { $match: filter },
      { $group: { _id: '$calendarId', count: { $sum: 1 } } },
    ])
    .hint(BY_CONNECTION)
    .exec();
  return new Map(groups.map((group) => [group._id, group.count]));
}
