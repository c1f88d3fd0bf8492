import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites } from '@connector-service/app-core';
import { ConnectionStatus } from '@connector-service/contracts';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { GoogleCalendarConnection, pendingMetadataUpdate } from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';

export type ConnectionRecord = GoogleCalendarConnection;

/** A connection's Google tokens, opened (plaintext); only ever held in memory. */
export interface OpenedTokens {
  accessToken?: string;
  refreshToken?: string;
}

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

/**
 * The only code that touches a connection's state and tokens. Tokens go in as plaintext
 * and are sealed here (TokenCipher), and come out opened only through `openTokens`.
 * Every write goes through DocumentWrites, keyed by the connection's id.
 */
@Injectable()
export class ConnectionRepository implements OnModuleInit {
  constructor(
    @InjectModel(GoogleCalendarConnection.name) private readonly model: Model<GoogleCalendarConnection>,
    private readonly cipher: TokenCipher,
    private readonly writes: DocumentWrites,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /**
   * Stores a (re)connected subaccount's connection and marks its metadata update pending,
   * in one atomic write. A reconnect updates the existing document, so its id (the
   * `calendarId`) stays; a refresh token is kept when Google sends no new one.
   */
  async saveConnected(state: ConnectedState, now: Date): Promise<ConnectionRecord> {
    const { refreshToken, accessToken, ...fields } = state;
    const update = {
      $set: {
        ...fields,
        accessToken: this.cipher.encrypt(accessToken),
        ...(refreshToken ? { refreshToken: this.cipher.encrypt(refreshToken) } : {}),
        status: ConnectionStatus.Connected,
        connectedAt: now,
        lastRefreshedAt: now,
        disconnectedAt: null,
        lastError: null,
        refreshFailures: 0,
        nextRefreshAttemptAt: null,
        lastRefreshError: null,
        reauthEmailDueAt: null,
        reauthEmailAttempts: 0,
        ...pendingMetadataUpdate(now),
      },
      $inc: { stateVersion: 1 },
    };
    for (let attempt = 0; ; attempt += 1) {
      const existing = await this.model.findOne({ subaccountId: state.subaccountId }, { _id: 1 }).lean().exec();
      try {
        const saved = await this.writes.run(existing ? existing._id.toString() : `new:${state.subaccountId}`, () =>
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

  /** The connection's tokens, opened. */
  openTokens(connection: ConnectionRecord): OpenedTokens {
    return {
      ...(connection.accessToken ? { accessToken: this.cipher.decrypt(connection.accessToken) } : {}),
      ...(connection.refreshToken ? { refreshToken: this.cipher.decrypt(connection.refreshToken) } : {}),
    };
  }

  /** Stores refreshed tokens (sealed here); the caller holds the connection's refresh lease. */
  async saveRefreshedTokens(
    calendarId: Types.ObjectId,
    tokens: { accessToken: string; accessTokenExpiresAt: Date; refreshToken?: string },
    now: Date,
  ): Promise<void> {
    await this.write(
      calendarId,
      { _id: calendarId, status: ConnectionStatus.Connected },
      {
        $set: {
          accessToken: this.cipher.encrypt(tokens.accessToken),
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          ...(tokens.refreshToken ? { refreshToken: this.cipher.encrypt(tokens.refreshToken) } : {}),
          lastRefreshedAt: now,
          refreshFailures: 0,
          nextRefreshAttemptAt: null,
          lastRefreshError: null,
        },
      },
    );
  }

  /** A transient refresh failure: the sweep leaves the connection alone until `nextAttemptAt`. */
  async recordRefreshFailure(calendarId: Types.ObjectId, error: string, nextAttemptAt: Date): Promise<void> {
    await this.write(
      calendarId,
      { _id: calendarId },
      {
        $set: { lastRefreshError: error, nextRefreshAttemptAt: nextAttemptAt },
        $inc: { refreshFailures: 1 },
      },
    );
  }

  /**
   * connected → reauth_required with its metadata update pending, and a reconnect e-mail
   * owed from `reauthEmailDueAt`; null if it was not connected.
   */
  markReauthRequired(
    calendarId: Types.ObjectId,
    error: string,
    now: Date,
    reauthEmailDueAt: Date,
  ): Promise<ConnectionRecord | null> {
    return this.writes.run(calendarId.toString(), () =>
      this.model
        .findOneAndUpdate(
          { _id: calendarId, status: ConnectionStatus.Connected },
          {
            $set: {
              status: ConnectionStatus.ReauthRequired,
              lastError: error,
              reauthEmailDueAt,
              reauthEmailAttempts: 0,
              ...pendingMetadataUpdate(now),
            },
            $inc: { stateVersion: 1 },
          },
          { returnDocument: 'after' },
        )
        .lean()
        .exec(),
    );
  }

  /** Connections that still need reauthorization and owe the user a reconnect e-mail now. */
  findReauthEmailsDue(now: Date, limit: number): Promise<ConnectionRecord[]> {
    return this.model
      .find({ status: ConnectionStatus.ReauthRequired, reauthEmailDueAt: { $ne: null, $lte: now } })
      .sort({ reauthEmailDueAt: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /** The SMTP server accepted the reconnect e-mail. */
  async recordReauthEmailSent(calendarId: Types.ObjectId, now: Date): Promise<void> {
    await this.write(
      calendarId,
      { _id: calendarId },
      {
        $set: { reauthEmailSentAt: now, reauthEmailDueAt: null, reauthEmailAttempts: 0 },
      },
    );
  }

  /** The reconnect e-mail was not accepted: it stays owed; count the attempt. */
  async recordReauthEmailFailure(calendarId: Types.ObjectId): Promise<void> {
    await this.write(calendarId, { _id: calendarId }, { $inc: { reauthEmailAttempts: 1 } });
  }

  /** Deletes the tokens and marks the connection disconnected; null if it already was. */
  markDisconnected(calendarId: Types.ObjectId, now: Date): Promise<ConnectionRecord | null> {
    return this.writes.run(calendarId.toString(), () =>
      this.model
        .findOneAndUpdate(
          { _id: calendarId, status: { $ne: ConnectionStatus.Disconnected } },
          {
            $set: {
              status: ConnectionStatus.Disconnected,
              disconnectedAt: now,
              lastError: null,
              reauthEmailDueAt: null,
              ...pendingMetadataUpdate(now),
            },
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
        status: ConnectionStatus.Connected,
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
    const result = await this.write(
      calendarId,
      { _id: calendarId, [field]: expected },
      { $set: { [field]: replacement } },
    );
    return result.modifiedCount === 1;
  }

  private write(
    calendarId: Types.ObjectId,
    filter: Record<string, unknown>,
    update: Record<string, unknown>,
  ): Promise<{ modifiedCount: number }> {
    return this.writes.run(calendarId.toString(), () => this.model.updateOne(filter, update).exec());
  }
}
