import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { CalendarSyncState } from './calendar-sync-state.schema';

/** What a sync read before it started: its saves are conditional on both still being so. */
export interface SyncStart {
  syncToken: string | null;
  syncRequestedAt: Date | null;
}

export type SaveOutcome =
  /** Saved; next due at the time asked. */
  | 'saved'
  /** Saved, but a push asked for a sync meanwhile: it stays due now. */
  | 'requested_meanwhile'
  /** The token is no longer the one the sync started from: nothing saved. */
  | 'superseded';

export type SyncedState = Pick<
  CalendarSyncState,
  '_id' | 'googleCalendarId' | 'stateVersion' | 'syncToken' | 'lastSyncedAt' | 'nextSyncAt'
>;

/**
 * The `calendarsyncstates` collection's only door. Every write a sync makes carries its
 * condition in its filter (the token it started from), so it is right on MongoDB by itself;
 * DocumentWrites only keeps FerretDB from losing one of two concurrent updates.
 */
@Injectable()
export class CalendarSyncStateRepository {
  constructor(
    @InjectModel(CalendarSyncState.name) private readonly model: Model<CalendarSyncState>,
    private readonly writes: DocumentWrites,
  ) {}

  findById(calendarId: string): Promise<CalendarSyncState | null> {
    return this.model.findById(calendarId).lean<CalendarSyncState>().exec();
  }

  /** The last complete sync and the current failure of these connections' states (the `_id` index on MongoDB). */
  findSyncOutcomes(calendarIds: string[]): Promise<Pick<CalendarSyncState, '_id' | 'lastSyncedAt' | 'lastError'>[]> {
    return this.model
      .find({ _id: { $in: calendarIds } }, { _id: 1, lastSyncedAt: 1, lastError: 1 })
      .lean<Pick<CalendarSyncState, '_id' | 'lastSyncedAt' | 'lastError'>[]>()
      .exec();
  }

  /** States whose sync is due, most overdue first. */
  findDue(now: Date, limit: number): Promise<Pick<CalendarSyncState, '_id' | 'nextSyncAt'>[]> {
    return this.model
      .find({ nextSyncAt: { $lte: now } }, { _id: 1, nextSyncAt: 1 })
      .sort({ nextSyncAt: 1 })
      .limit(limit)
      .lean<Pick<CalendarSyncState, '_id' | 'nextSyncAt'>[]>()
      .exec();
  }

  /** Of these connection ids, the ones with a state. */
  async existing(calendarIds: string[]): Promise<Set<string>> {
    const found = await this.model
      .find({ _id: { $in: calendarIds } }, { _id: 1 })
      .lean<Pick<CalendarSyncState, '_id'>[]>()
      .exec();
    return new Set(found.map((state) => state._id));
  }

  /**
   * A complete sync, saved only over what it started from: another sync that saved a token
   * meanwhile wins (`superseded`), and a push that asked for a sync meanwhile keeps the
   * calendar due now (`requested_meanwhile`).
   */
  async saveSynced(state: SyncedState, from: SyncStart): Promise<SaveOutcome> {
    const set = { ...state, failures: 0, lastError: null, syncRequestedAt: null, baselineChangesSince: null };
    if (await this.conditionalUpdate(state._id, from, { $set: set })) return 'saved';
    const current = await this.findById(state._id);
    if (!current || current.syncToken !== from.syncToken) return 'superseded';
    const due = { ...set, nextSyncAt: new Date(), syncRequestedAt: current.syncRequestedAt };
    return (await this.conditionalUpdate(
      state._id,
      { ...from, syncRequestedAt: current.syncRequestedAt },
      { $set: due },
    ))
      ? 'requested_meanwhile'
      : 'superseded';
  }

  /**
   * A failed sync: its token stays (null for a baseline not yet taken); tried again at
   * `nextSyncAt`. Conditional on the token it started from, like a save.
   */
  async recordFailure(
    state: Pick<CalendarSyncState, '_id' | 'googleCalendarId' | 'stateVersion'>,
    from: SyncStart,
    error: string,
    nextSyncAt: Date,
  ): Promise<boolean> {
    return this.conditionalUpdate(state._id, from, {
      $set: { nextSyncAt, lastError: error },
      $inc: { failures: 1 },
      // A baseline for a new state version keeps the old version until it is taken.
      $setOnInsert: { googleCalendarId: state.googleCalendarId, stateVersion: state.stateVersion, lastSyncedAt: null },
    });
  }

  /**
   * A due sync was claimed: it is not due for other replicas' polls until `until` (by when
   * the claim has lapsed if its holder died); the sync's own save sets the real next time.
   */
  async hideWhileSyncing(calendarId: string, dueAt: Date, until: Date): Promise<void> {
    await this.writes.run(calendarId, () =>
      this.model.updateOne({ _id: calendarId, nextSyncAt: dueAt }, { $set: { nextSyncAt: until } }).exec(),
    );
  }

  /**
   * A push met another replica's sync: remember it, and make the calendar due now (unless
   * its syncs are failing and backing off). No-op without a state (no baseline yet).
   */
  async requestSync(calendarId: string, at: Date): Promise<void> {
    await this.writes.run(calendarId, () =>
      this.model
        .updateOne({ _id: calendarId, failures: 0 }, { $set: { syncRequestedAt: at }, $min: { nextSyncAt: at } })
        .exec(),
    );
  }

  /**
   * The calendar is to be synced now (a new connection, a reconnect, one adopted at start):
   * due now, with a state that asks for a baseline if it has none; the baseline delivers what
   * changed since `changesSince` (the connection's time; null: nothing).
   */
  async markDue(calendarId: string, googleCalendarId: string, now: Date, changesSince: Date | null): Promise<void> {
    await this.writes.run(calendarId, () =>
      this.model
        .updateOne(
          { _id: calendarId },
          {
            $min: { nextSyncAt: now },
            $set: { baselineChangesSince: changesSince },
            $setOnInsert: {
              googleCalendarId,
              stateVersion: -1,
              syncToken: null,
              syncRequestedAt: null,
              lastSyncedAt: null,
              failures: 0,
              lastError: null,
            },
          },
          { upsert: true },
        )
        .exec()
        .catch((error: unknown) => {
          // Two replicas inserted it at once: it is there, due.
          if (!isDuplicateKeyError(error)) throw error;
        }),
    );
  }

  async delete(calendarId: string): Promise<void> {
    await this.writes.run(calendarId, () => this.model.deleteOne({ _id: calendarId }).exec());
  }

  /** Updates the state if it still holds `from` (inserted if there is none and `from` is empty). */
  private conditionalUpdate(calendarId: string, from: SyncStart, update: Record<string, unknown>): Promise<boolean> {
    const fresh = from.syncToken === null && from.syncRequestedAt === null;
    return this.writes.run(calendarId, async () => {
      try {
        const result = await this.model
          .updateOne({ _id: calendarId, syncToken: from.syncToken, syncRequestedAt: from.syncRequestedAt }, update, {
            upsert: fresh,
          })
          .exec();
        return result.matchedCount + result.upsertedCount === 1;
      } catch (error) {
        // The upsert met a state written meanwhile.
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    });
  }
}
