import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { WatchEndedReason } from '@connector-service/contracts';
import type { Model } from 'mongoose';
import { CalendarSyncState, WatchedCalendarRef, parseWatchKey, watchKey } from './calendar-sync-state.schema';

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
  '_id' | 'calendarId' | 'googleCalendarId' | 'stateVersion' | 'syncToken' | 'lastSyncedAt' | 'nextSyncAt'
>;

/** The last complete sync and the current failure of one watched calendar (the operator's view). */
export type SyncOutcome = Pick<CalendarSyncState, 'calendarId' | 'googleCalendarId' | 'lastSyncedAt' | 'lastError'>;

/** Sync states written before each watched calendar had its own are brought over in pages of this many. */
const MIGRATION_PAGE = 500;

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

  /**
   * States of the time when a connection had one (its `_id` the connection's id) are given
   * the id of their watched calendar, once, at start (a new state is written before the old
   * one is deleted, so a start that stops halfway loses nothing).
   */
  async migrateConnectionStates(): Promise<number> {
    let migrated = 0;
    for (;;) {
      const legacy = await this.model
        .find({ calendarId: { $exists: false } })
        .limit(MIGRATION_PAGE)
        .lean<CalendarSyncState[]>()
        .exec();
      if (legacy.length === 0) return migrated;
      for (const state of legacy) {
        const ref = { calendarId: state._id, googleCalendarId: state.googleCalendarId };
        await this.model.collection
          .insertOne({ ...state, _id: watchKey(ref.calendarId, ref.googleCalendarId), ...ref } as never)
          .catch((error: unknown) => {
            if (!isDuplicateKeyError(error)) throw error;
          });
        await this.model.deleteOne({ _id: state._id }).exec();
        migrated += 1;
      }
    }
  }

  findById(key: string): Promise<CalendarSyncState | null> {
    return this.model.findById(key).lean<CalendarSyncState>().exec();
  }

  /** The states of a connection's watched calendars (the { calendarId: 1 } index). */
  findByConnection(calendarId: string): Promise<CalendarSyncState[]> {
    return this.model.find({ calendarId }).lean<CalendarSyncState[]>().exec();
  }

  /** The last complete sync and the current failure of these connections' calendars (the { calendarId: 1 } index). */
  findSyncOutcomes(calendarIds: string[]): Promise<SyncOutcome[]> {
    return this.model
      .find(
        { calendarId: { $in: calendarIds } },
        { _id: 0, calendarId: 1, googleCalendarId: 1, lastSyncedAt: 1, lastError: 1 },
      )
      .lean<SyncOutcome[]>()
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

  /** Of these connection ids, the ones with a state (the { calendarId: 1 } index). */
  async existing(calendarIds: string[]): Promise<Set<string>> {
    const found = await this.model
      .find({ calendarId: { $in: calendarIds } }, { _id: 0, calendarId: 1 })
      .lean<Pick<CalendarSyncState, 'calendarId'>[]>()
      .exec();
    return new Set(found.map((state) => state.calendarId));
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
    state: Pick<CalendarSyncState, '_id' | 'calendarId' | 'googleCalendarId' | 'stateVersion'>,
    from: SyncStart,
    error: string,
    nextSyncAt: Date,
  ): Promise<boolean> {
    return this.conditionalUpdate(state._id, from, {
      $set: { nextSyncAt, lastError: error },
      $inc: { failures: 1 },
      // A baseline for a new state version keeps the old version until it is taken.
      $setOnInsert: {
        calendarId: state.calendarId,
        googleCalendarId: state.googleCalendarId,
        stateVersion: state.stateVersion,
        lastSyncedAt: null,
      },
    });
  }

  /**
   * Google no longer lets the account read the calendar: it ends (once; conditional on the
   * token the sync started from, like a save) with the id its `calendar.watch_ended` will
   * carry, and stays due until that is enqueued (watchEndedEnqueued).
   */
  endWatch(key: string, from: SyncStart, reason: WatchEndedReason, deliveryId: string): Promise<boolean> {
    return this.conditionalUpdate(
      key,
      from,
      { $set: { endedReason: reason, endedDeliveryId: deliveryId, nextSyncAt: new Date(), lastError: null } },
      { endedReason: null },
    );
  }

  /** The ended calendar's `calendar.watch_ended` is enqueued: it is never due again. */
  async watchEndedEnqueued(key: string): Promise<void> {
    await this.writes.updateOne(this.model, { _id: key, endedReason: { $ne: null } }, { $set: { nextSyncAt: null } });
  }

  /**
   * A due sync was claimed: it is not due for other replicas' polls until `until` (by when
   * the claim has lapsed if its holder died); the sync's own save sets the real next time.
   */
  async hideWhileSyncing(key: string, dueAt: Date, until: Date): Promise<void> {
    await this.writes.updateOne(this.model, { _id: key, nextSyncAt: dueAt }, { $set: { nextSyncAt: until } });
  }

  /**
   * A push met another replica's sync: remember it, and make the calendar due now (unless
   * its syncs are failing and backing off). No-op without a state (no baseline yet).
   */
  async requestSync(key: string, at: Date): Promise<void> {
    await this.writes.updateOne(
      this.model,
      { _id: key, failures: 0, endedReason: null },
      { $set: { syncRequestedAt: at }, $min: { nextSyncAt: at } },
    );
  }

  /**
   * The calendar is to be synced now (a new connection, a reconnect, one adopted at start, a
   * calendar newly watched): due now, with a state that asks for a baseline if it has none;
   * the baseline delivers what changed since `changesSince` (the connection's time; null:
   * nothing). One that ended stays ended.
   */
  async markDue(watched: WatchedCalendarRef, now: Date, changesSince: Date | null): Promise<void> {
    const key = watchKey(watched.calendarId, watched.googleCalendarId);
    await this.writes.run(key, () =>
      this.model
        .updateOne(
          { _id: key, endedReason: null },
          {
            $min: { nextSyncAt: now },
            $set: { baselineChangesSince: changesSince },
            $setOnInsert: {
              calendarId: watched.calendarId,
              googleCalendarId: watched.googleCalendarId,
              endedDeliveryId: null,
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
          // Two replicas inserted it at once, or it ended: it is there.
          if (!isDuplicateKeyError(error)) throw error;
        }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.writes.run(key, () => this.model.deleteOne({ _id: key }).exec());
  }

  /** Forgets every watched calendar of a connection (it is no longer connected). */
  async deleteByConnection(calendarId: string): Promise<void> {
    await this.model.deleteMany({ calendarId }).exec();
  }

  /**
   * Updates the state if it still holds `from` (and `also`); inserted if there is none and
   * `from` is empty, with the connection and calendar its id names.
   */
  private conditionalUpdate(
    key: string,
    from: SyncStart,
    update: Record<string, unknown>,
    also: Record<string, unknown> = {},
  ): Promise<boolean> {
    const filter = { _id: key, syncToken: from.syncToken, syncRequestedAt: from.syncRequestedAt, ...also };
    if (from.syncToken !== null || from.syncRequestedAt !== null) {
      return this.writes.updateOne(this.model, filter, update).then((result) => result.matchedCount === 1);
    }
    // From nothing: the state may not be there yet (a baseline), so it is made if missing.
    const set = (update['$set'] as Record<string, unknown> | undefined) ?? {};
    const onInsert = {
      ...parseWatchKey(key),
      endedDeliveryId: null,
      ...((update['$setOnInsert'] as Record<string, unknown> | undefined) ?? {}),
    };
    // A field is either set or set on insert, never both (MongoDB refuses the conflict).
    const setOnInsert = Object.fromEntries(Object.entries(onInsert).filter(([field]) => !(field in set)));
    const withInsert = { ...update, $setOnInsert: setOnInsert };
    return this.writes.run(key, async () => {
      try {
        const result = await this.model.updateOne(filter, withInsert, { upsert: true }).exec();
        return result.matchedCount + result.upsertedCount === 1;
      } catch (error) {
        // The upsert met a state written meanwhile.
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    });
  }
}
