import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SerialWrites, currentRequestId } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { GoogleCalendarConnection } from './google-calendar-connection.schema';

export type ConnectionRecord = GoogleCalendarConnection;

export interface ConnectedState {
  subaccountId: string;
  userEmail: string;
  googleEmail: string;
  googleUserId?: string;
  scopes: string[];
  accessToken: string;
  refreshToken?: string;
  accessTokenExpiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/** The only code that touches the Google Calendar connections collection. */
@Injectable()
export class ConnectionRepository implements OnModuleInit {
  private readonly writes = new SerialWrites();

  constructor(@InjectModel(GoogleCalendarConnection.name) private readonly model: Model<GoogleCalendarConnection>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /**
   * Stores a (re)connected subaccount's connection and marks its metadata update pending,
   * in one atomic write. A reconnect updates the existing document, so its id (the
   * `calendarId`) stays; a refresh token is kept when Google sends no new one.
   */
  async saveConnected(state: ConnectedState, now: Date): Promise<ConnectionRecord> {
    const { refreshToken, ...fields } = state;
    const update = {
      $set: {
        ...fields,
        ...(refreshToken ? { refreshToken } : {}),
        status: 'connected',
        connectedAt: now,
        lastRefreshedAt: now,
        disconnectedAt: null,
        lastError: null,
        refreshFailures: 0,
        nextRefreshAttemptAt: null,
        lastRefreshError: null,
        reauthEmailSentAt: null,
        ...pendingSync(now),
      },
      $inc: { stateVersion: 1 },
    };
    for (let attempt = 0; ; attempt += 1) {
      try {
        const saved = await this.writes.run(() =>
          this.model
            .findOneAndUpdate({ subaccountId: state.subaccountId }, update, { upsert: true, returnDocument: 'after' })
            .lean()
            .exec(),
        );
        return saved as ConnectionRecord;
      } catch (error) {
        // Two first connects of one subaccount at once: the loser of the insert race updates.
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY || attempt > 0) throw error;
      }
    }
  }

  findById(calendarId: string): Promise<ConnectionRecord | null> {
    if (!Types.ObjectId.isValid(calendarId)) return Promise.resolve(null);
    return this.model.findById(calendarId).lean().exec();
  }

  findBySubaccount(subaccountId: string): Promise<ConnectionRecord | null> {
    return this.model.findOne({ subaccountId }).lean().exec();
  }

  /**
   * Takes one due pending metadata update (optionally of one connection) for `owner` until
   * `leaseUntil`; no other worker gets it meanwhile. Null when nothing is due.
   */
  claimDueSync(owner: string, now: Date, leaseUntil: Date, calendarId?: string): Promise<ConnectionRecord | null> {
    return this.writes.run(() =>
      this.model
        .findOneAndUpdate(
          {
            ...(calendarId ? { _id: new Types.ObjectId(calendarId) } : {}),
            'sync.pending': true,
            'sync.nextAttemptAt': { $lte: now },
            $or: [{ 'sync.leaseUntil': null }, { 'sync.leaseUntil': { $lte: now } }],
          },
          { $set: { 'sync.leaseOwner': owner, 'sync.leaseUntil': leaseUntil }, $inc: { 'sync.attempts': 1 } },
          { returnDocument: 'after', sort: { 'sync.nextAttemptAt': 1 } },
        )
        .lean()
        .exec(),
    );
  }

  /**
   * Records that `version` landed. If the state changed meanwhile the newer update stays
   * pending and is released for an immediate attempt.
   */
  async completeSync(calendarId: Types.ObjectId, owner: string, version: number, now: Date): Promise<void> {
    const done = await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, 'sync.leaseOwner': owner, stateVersion: version },
          {
            $set: {
              'sync.pending': false,
              'sync.attempts': 0,
              'sync.leaseOwner': null,
              'sync.leaseUntil': null,
              'sync.lastError': null,
              'sync.deliveredVersion': version,
              'sync.deliveredAt': now,
            },
          },
        )
        .exec(),
    );
    if (done.matchedCount === 0) await this.releaseSync(calendarId, owner, now, null);
  }

  /** Gives the item back, to be tried again at `nextAttemptAt`. */
  async releaseSync(
    calendarId: Types.ObjectId,
    owner: string,
    nextAttemptAt: Date,
    error: string | null,
  ): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, 'sync.leaseOwner': owner },
          {
            $set: {
              'sync.leaseOwner': null,
              'sync.leaseUntil': null,
              'sync.nextAttemptAt': nextAttemptAt,
              ...(error === null ? {} : { 'sync.lastError': error }),
            },
          },
        )
        .exec(),
    );
  }

  /** Stops trying an update that can never land (its connector was deleted). */
  async abandonSync(calendarId: Types.ObjectId, owner: string, version: number, error: string): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, 'sync.leaseOwner': owner, stateVersion: version },
          {
            $set: { 'sync.pending': false, 'sync.leaseOwner': null, 'sync.leaseUntil': null, 'sync.lastError': error },
          },
        )
        .exec(),
    );
  }

  /** Takes the refresh lease of a connected connection, or null when another holder has it. */
  acquireRefreshLease(
    calendarId: Types.ObjectId,
    owner: string,
    now: Date,
    until: Date,
  ): Promise<ConnectionRecord | null> {
    return this.writes.run(() =>
      this.model
        .findOneAndUpdate(
          {
            _id: calendarId,
            status: 'connected',
            $or: [{ 'refreshLease.until': null }, { 'refreshLease.until': { $lte: now } }],
          },
          { $set: { 'refreshLease.owner': owner, 'refreshLease.until': until } },
          { returnDocument: 'after' },
        )
        .lean()
        .exec(),
    );
  }

  /** Stores refreshed (sealed) tokens and gives the lease back. */
  async saveRefreshedTokens(
    calendarId: Types.ObjectId,
    owner: string,
    tokens: { accessToken: string; accessTokenExpiresAt: Date; refreshToken?: string },
    now: Date,
  ): Promise<void> {
    const { refreshToken, ...fields } = tokens;
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, 'refreshLease.owner': owner },
          {
            $set: {
              ...fields,
              ...(refreshToken ? { refreshToken } : {}),
              lastRefreshedAt: now,
              refreshFailures: 0,
              nextRefreshAttemptAt: null,
              lastRefreshError: null,
              'refreshLease.owner': null,
              'refreshLease.until': null,
            },
          },
        )
        .exec(),
    );
  }

  /** Gives the refresh lease back after a failure; the sweep waits until `nextAttemptAt`. */
  async releaseRefreshLease(
    calendarId: Types.ObjectId,
    owner: string,
    failure?: { error: string; nextAttemptAt: Date },
  ): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, 'refreshLease.owner': owner },
          {
            $set: {
              'refreshLease.owner': null,
              'refreshLease.until': null,
              ...(failure ? { lastRefreshError: failure.error, nextRefreshAttemptAt: failure.nextAttemptAt } : {}),
            },
            ...(failure ? { $inc: { refreshFailures: 1 } } : {}),
          },
        )
        .exec(),
    );
  }

  /** connected → reauth_required with its metadata update pending; null if it was not connected. */
  markReauthRequired(calendarId: Types.ObjectId, error: string, now: Date): Promise<ConnectionRecord | null> {
    return this.writes.run(() =>
      this.model
        .findOneAndUpdate(
          { _id: calendarId, status: 'connected' },
          {
            $set: { status: 'reauth_required', lastError: error, ...pendingSync(now) },
            $inc: { stateVersion: 1 },
          },
          { returnDocument: 'after' },
        )
        .lean()
        .exec(),
    );
  }

  /** Whether a reconnect e-mail may go out now (none in the last day); records it if so. */
  async claimReauthEmail(calendarId: Types.ObjectId, now: Date, minIntervalMs: number): Promise<boolean> {
    const claimed = await this.writes.run(() =>
      this.model
        .updateOne(
          {
            _id: calendarId,
            $or: [
              { reauthEmailSentAt: null },
              { reauthEmailSentAt: { $lte: new Date(now.getTime() - minIntervalMs) } },
            ],
          },
          { $set: { reauthEmailSentAt: now } },
        )
        .exec(),
    );
    return claimed.modifiedCount === 1;
  }

  /** Deletes the tokens and marks the connection disconnected; null if it already was. */
  markDisconnected(calendarId: Types.ObjectId, now: Date): Promise<ConnectionRecord | null> {
    return this.writes.run(() =>
      this.model
        .findOneAndUpdate(
          { _id: calendarId, status: { $ne: 'disconnected' } },
          {
            $set: { status: 'disconnected', disconnectedAt: now, lastError: null, ...pendingSync(now) },
            $unset: { accessToken: '', refreshToken: '', accessTokenExpiresAt: '' },
            $inc: { stateVersion: 1 },
          },
          { returnDocument: 'after' },
        )
        .lean()
        .exec(),
    );
  }

  /** Connected connections not refreshed since `staleBefore` and not backing off. */
  findDueForSweep(now: Date, staleBefore: Date, limit: number): Promise<ConnectionRecord[]> {
    return this.model
      .find({
        status: 'connected',
        lastRefreshedAt: { $lte: staleBefore },
        $or: [{ nextRefreshAttemptAt: null }, { nextRefreshAttemptAt: { $lte: now } }],
      })
      .sort({ lastRefreshedAt: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /** Every connection holding a sealed token, oldest first, in pages (for key rotation). */
  findWithTokens(afterId: Types.ObjectId | null, limit: number): Promise<ConnectionRecord[]> {
    return this.model
      .find({
        ...(afterId ? { _id: { $gt: afterId } } : {}),
        $or: [{ accessToken: { $exists: true } }, { refreshToken: { $exists: true } }],
      })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /** Replaces a sealed token only if it is still the one read (a refresh may have won). */
  async replaceSealedToken(
    calendarId: Types.ObjectId,
    field: 'accessToken' | 'refreshToken',
    expected: string,
    replacement: string,
  ): Promise<boolean> {
    const result = await this.writes.run(() =>
      this.model.updateOne({ _id: calendarId, [field]: expected }, { $set: { [field]: replacement } }).exec(),
    );
    return result.modifiedCount === 1;
  }
}

/**
 * The `$set` fields that mark a connection's metadata update as pending, due now, with
 * the id of the request that caused it (the delivery carries it to database-api).
 */
export function pendingSync(now: Date): Record<string, unknown> {
  return {
    'sync.pending': true,
    'sync.attempts': 0,
    'sync.nextAttemptAt': now,
    'sync.lastError': null,
    'sync.requestId': currentRequestId() ?? null,
  };
}
