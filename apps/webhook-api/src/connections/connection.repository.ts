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

  /** Connections whose metadata update is due (optionally one of them), oldest first. */
  findDueSyncs(now: Date, limit: number, calendarId?: string): Promise<ConnectionRecord[]> {
    return this.model
      .find({
        ...(calendarId ? { _id: new Types.ObjectId(calendarId) } : {}),
        'sync.pending': true,
        'sync.nextAttemptAt': { $lte: now },
      })
      .sort({ 'sync.nextAttemptAt': 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /**
   * Records that `version` landed. If the state changed meanwhile, the newer update stays
   * pending (and is due already).
   */
  async completeSync(calendarId: Types.ObjectId, version: number, now: Date): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, stateVersion: version },
          {
            $set: {
              'sync.pending': false,
              'sync.attempts': 0,
              'sync.lastError': null,
              'sync.deliveredVersion': version,
              'sync.deliveredAt': now,
            },
          },
        )
        .exec(),
    );
  }

  /** A failed attempt at `version`: try again at `nextAttemptAt` (unless the state moved on). */
  async retrySyncLater(calendarId: Types.ObjectId, version: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, stateVersion: version },
          { $set: { 'sync.nextAttemptAt': nextAttemptAt, 'sync.lastError': error }, $inc: { 'sync.attempts': 1 } },
        )
        .exec(),
    );
  }

  /** Stops trying an update that can never land (its connector was deleted). */
  async abandonSync(calendarId: Types.ObjectId, version: number, error: string): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne({ _id: calendarId, stateVersion: version }, { $set: { 'sync.pending': false, 'sync.lastError': error } })
        .exec(),
    );
  }

  /** Stores refreshed (sealed) tokens; the caller holds the connection's refresh lease. */
  async saveRefreshedTokens(
    calendarId: Types.ObjectId,
    tokens: { accessToken: string; accessTokenExpiresAt: Date; refreshToken?: string },
    now: Date,
  ): Promise<void> {
    const { refreshToken, ...fields } = tokens;
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId, status: 'connected' },
          {
            $set: {
              ...fields,
              ...(refreshToken ? { refreshToken } : {}),
              lastRefreshedAt: now,
              refreshFailures: 0,
              nextRefreshAttemptAt: null,
              lastRefreshError: null,
            },
          },
        )
        .exec(),
    );
  }

  /** A transient refresh failure: the sweep leaves the connection alone until `nextAttemptAt`. */
  async recordRefreshFailure(calendarId: Types.ObjectId, error: string, nextAttemptAt: Date): Promise<void> {
    await this.writes.run(() =>
      this.model
        .updateOne(
          { _id: calendarId },
          { $set: { lastRefreshError: error, nextRefreshAttemptAt: nextAttemptAt }, $inc: { refreshFailures: 1 } },
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
