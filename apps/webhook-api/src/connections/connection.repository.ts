import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentCondition, DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import { ConnectionStatus } from '@connector-service/contracts';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { ConnectionTransitions } from './connection-transitions';
import { accountConnectedAtOf, accountVersionOf, isSameGoogleAccount } from './google-account';
import {
  GoogleCalendarConnection,
  StatusChange,
  StatusChangeConsequence,
  WatchedCalendarChoice,
  owedStatusChange,
  pendingMetadataUpdate,
} from './google-calendar-connection.schema';
import { TokenCipher } from './token-cipher';

export type ConnectionRecord = GoogleCalendarConnection;

/** What the operator's view reads of a connection. */
export type ConnectionPageEntry = Pick<
  ConnectionRecord,
  '_id' | 'subaccountId' | 'googleEmail' | 'status' | 'lastError' | 'lastRefreshError' | 'connectedAt'
>;

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

/** A consent stored, or refused without a write. */
export type SavedConsent =
  | { saved: ConnectionRecord }
  /** No refresh token came, and none of this account may be kept: the connection stays as it was. */
  | { refused: 'no_refresh_token' };

/** What a disconnect did: the connection it disconnected, or why it left it alone. */
export type DisconnectOutcome =
  | { disconnected: ConnectionRecord }
  /** Another call disconnected it first. */
  | { unchanged: 'already_disconnected' }
  /** A new consent was stored meanwhile: that is not the state the disconnect started from. */
  | { unchanged: 'reconsented' };

/** What saveConnected reads of a connection before replacing its consent. */
type StoredConsent = Pick<
  ConnectionRecord,
  | '_id'
  | 'status'
  | 'stateVersion'
  | 'googleEmail'
  | 'googleUserId'
  | 'refreshToken'
  | 'connectedAt'
  | 'accountVersion'
  | 'accountConnectedAt'
>;

/** Conditional transition writes retried when the status changed between read and write. */
const MAX_TRANSITION_RACES = 5;
/** The index of the metadata update from when it was called `sync`. */
const SYNC_INDEX = 'sync.pending_1_sync.nextAttemptAt_1';
const INDEX_NOT_FOUND = 27;

/**
 * The only code that touches a connection's state and tokens. Tokens go in as plaintext
 * and are sealed here (TokenCipher), and come out opened only through `openTokens`.
 * Every write goes through DocumentWrites, keyed by the connection's id.
 */
/** What a connection's watched calendars are decided by (watchedCalendarsOf). */
export type WatchingConnection = Pick<
  ConnectionRecord,
  | '_id'
  | 'googleEmail'
  | 'stateVersion'
  | 'connectedAt'
  | 'accountVersion'
  | 'accountConnectedAt'
  | 'watchedCalendars'
  | 'watchedAccountVersion'
>;
const WATCHING_FIELDS = {
  _id: 1,
  googleEmail: 1,
  stateVersion: 1,
  connectedAt: 1,
  accountVersion: 1,
  accountConnectedAt: 1,
  watchedCalendars: 1,
  watchedAccountVersion: 1,
};

@Injectable()
export class ConnectionRepository implements OnModuleInit {
  constructor(
    @InjectModel(GoogleCalendarConnection.name) private readonly model: Model<GoogleCalendarConnection>,
    private readonly cipher: TokenCipher,
    private readonly writes: DocumentWrites,
    private readonly transitions: ConnectionTransitions,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
    // The metadata update was called `sync` before: documents and the index of that time are brought over once.
    await this.model.collection.updateMany({ sync: { $exists: true } }, { $rename: { sync: 'metadataUpdate' } });
    await this.model.collection.dropIndex(SYNC_INDEX).catch((error: { code?: unknown }) => {
      if (error.code !== INDEX_NOT_FOUND) throw error;
    });
  }

  /**
   * Stores a subaccount's consent, marks its metadata update pending and records the status
   * change, in one atomic write. A reconnect updates the existing document, so its id (the
   * `calendarId`) stays. Tokens of one Google account are never kept with another's: without
   * a new refresh token the stored one is kept only while the connection is connected to the
   * same account, else the consent is refused and nothing is written. A re-consent of the same
   * account while connected keeps `accountVersion` (its sync and push channel go on); any
   * other consent starts them anew. The write is conditional on the `stateVersion` read, so
   * what was checked is what it replaces, and `previousStatus` is exact.
   */
  async saveConnected(state: ConnectedState, now: Date): Promise<SavedConsent> {
    const { refreshToken, accessToken, ...fields } = state;
    for (let race = 0; race < MAX_TRANSITION_RACES; race += 1) {
      const existing = await this.model
        .findOne(
          { subaccountId: state.subaccountId },
          {
            _id: 1,
            status: 1,
            stateVersion: 1,
            googleEmail: 1,
            googleUserId: 1,
            refreshToken: 1,
            connectedAt: 1,
            accountVersion: 1,
            accountConnectedAt: 1,
          },
        )
        .lean<StoredConsent>()
        .exec();
      const sameAccount =
        existing?.status === ConnectionStatus.Connected && isSameGoogleAccount(existing, state) ? existing : null;
      // A refresh token that Google refused (reauth_required), or another account's, is never kept.
      if (!refreshToken && !sameAccount?.refreshToken) return { refused: 'no_refresh_token' };
      const stateVersion = (existing?.stateVersion ?? 0) + 1;
      try {
        const saved = await this.transition({
          documentKey: existing ? existing._id.toString() : `new:${state.subaccountId}`,
          // A first connect inserts; one that meets a document inserted meanwhile fails on the unique index and reads again.
          filter: existing
            ? { _id: existing._id, stateVersion: existing.stateVersion ?? { $exists: false } }
            : { subaccountId: state.subaccountId, stateVersion: { $exists: false } },
          from: existing?.status ?? null,
          to: ConnectionStatus.Connected,
          now,
          set: {
            ...fields,
            accessToken: this.cipher.encrypt(accessToken),
            ...(refreshToken ? { refreshToken: this.cipher.encrypt(refreshToken) } : {}),
            connectedAt: now,
            consentVersion: stateVersion,
            accountVersion: sameAccount ? accountVersionOf(sameAccount) : stateVersion,
            accountConnectedAt: sameAccount ? accountConnectedAtOf(sameAccount) : now,
            lastRefreshedAt: now,
            disconnectedAt: null,
            lastError: null,
            refreshFailures: 0,
            nextRefreshAttemptAt: null,
            lastRefreshError: null,
            reauthEmailDueAt: null,
            reauthEmailAttempts: 0,
          },
          // Another account's id is not left behind when this consent's userinfo gave none.
          ...(state.googleUserId ? {} : { unset: { googleUserId: '' } }),
          upsert: !existing,
        });
        if (saved) return { saved };
        // The connection changed since it was read: read it again.
      } catch (error) {
        // Two first connects of one subaccount at once: the loser of the insert race reads again.
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw new Error(`The connection of subaccount ${state.subaccountId} kept changing; not saved`);
  }

  findById(calendarId: string): Promise<ConnectionRecord | null> {
    if (!Types.ObjectId.isValid(calendarId)) return Promise.resolve(null);
    return this.model.findById(calendarId).lean().exec();
  }

  /** These connections (those that exist), in one read. */
  findByIds(calendarIds: readonly string[]): Promise<ConnectionRecord[]> {
    const valid = calendarIds.filter((id) => Types.ObjectId.isValid(id));
    if (valid.length === 0) return Promise.resolve([]);
    return this.model
      .find({ _id: { $in: valid.map((id) => new Types.ObjectId(id)) } })
      .lean<ConnectionRecord[]>()
      .exec();
  }

  findBySubaccount(subaccountId: string): Promise<ConnectionRecord | null> {
    return this.model.findOne({ subaccountId }).lean().exec();
  }

  /**
   * The calendars to watch, chosen for the Google account connected at `accountVersion`:
   * stored only while the connection is connected to that account (else false). The latest
   * choice wins; the caller then brings sync states and channels in line with it.
   */
  async setWatchedCalendars(
    calendarId: Types.ObjectId,
    accountVersion: number,
    calendars: WatchedCalendarChoice[],
  ): Promise<ConnectionRecord | null> {
    return this.writes.run(calendarId.toString(), () =>
      this.model
        .findOneAndUpdate(
          {
            _id: calendarId,
            status: ConnectionStatus.Connected,
            // Connections stored before accountVersion was recorded count from their stateVersion.
            $or: [{ accountVersion }, { accountVersion: { $exists: false }, stateVersion: accountVersion }],
          },
          { $set: { watchedCalendars: calendars, watchedAccountVersion: accountVersion } },
          { returnDocument: 'after' },
        )
        .lean<ConnectionRecord>()
        .exec(),
    );
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
      { _id: calendarId },
      {
        $set: { lastRefreshError: error, nextRefreshAttemptAt: nextAttemptAt },
        $inc: { refreshFailures: 1 },
      },
    );
  }

  /**
   * connected → reauth_required with its metadata update pending, the status change owed,
   * and a reconnect e-mail owed from `reauthEmailDueAt`; null if it was not connected.
   */
  async markReauthRequired(
    calendarId: Types.ObjectId,
    error: string,
    now: Date,
    reauthEmailDueAt: Date,
  ): Promise<ConnectionRecord | null> {
    return this.transition({
      documentKey: calendarId.toString(),
      filter: { _id: calendarId, status: ConnectionStatus.Connected },
      from: ConnectionStatus.Connected,
      to: ConnectionStatus.ReauthRequired,
      now,
      set: { lastError: error, reauthEmailDueAt, reauthEmailAttempts: 0 },
    });
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

  /**
   * Takes the reconnect e-mail owed since `dueAt` for one attempt (a claim: of replicas that
   * read the same `dueAt`, one gets it) and counts the attempt; until it is recorded sent, it
   * is owed again from `retryAt`, also when this process dies mid-send.
   */
  async startReauthEmailAttempt(calendarId: Types.ObjectId, dueAt: Date, retryAt: Date): Promise<boolean> {
    const { modifiedCount } = await this.write(
      { _id: calendarId, status: ConnectionStatus.ReauthRequired, reauthEmailDueAt: dueAt },
      { $set: { reauthEmailDueAt: retryAt }, $inc: { reauthEmailAttempts: 1 } },
    );
    return modifiedCount === 1;
  }

  /** The reconnect e-mail of the attempt owed again from `retryAt` was not accepted: owed from `nextAttemptAt`. */
  async recordReauthEmailFailure(calendarId: Types.ObjectId, retryAt: Date, nextAttemptAt: Date): Promise<void> {
    await this.write(
      { _id: calendarId, status: ConnectionStatus.ReauthRequired, reauthEmailDueAt: retryAt },
      { $set: { reauthEmailDueAt: nextAttemptAt } },
    );
  }

  /**
   * The SMTP server accepted the reconnect e-mail of the attempt owed again from `retryAt`:
   * nothing owed any more (unless a later loss owes a new one meanwhile).
   */
  async recordReauthEmailSent(calendarId: Types.ObjectId, retryAt: Date, now: Date): Promise<void> {
    await this.write(
      { _id: calendarId, reauthEmailDueAt: { $in: [retryAt, null] } },
      { $set: { reauthEmailSentAt: now, reauthEmailDueAt: null, reauthEmailAttempts: 0 } },
    );
  }

  /**
   * Deletes the tokens, marks the connection disconnected and owes the status change, if it
   * still holds the consent `started` was read with: a re-consent stored meanwhile is not
   * the state the disconnect started from and is left alone (a loss of access meanwhile is
   * the same consent, and is disconnected). Each write is conditional on the `stateVersion`
   * just read, whose consent was checked (every consent grows it), so it applies to that
   * consent only, and `previousStatus` is exact.
   */
  async markDisconnected(started: ConnectionRecord, now: Date): Promise<DisconnectOutcome> {
    const calendarId = started._id;
    for (let race = 0; race < MAX_TRANSITION_RACES; race += 1) {
      const current = await this.model
        .findById(calendarId, { status: 1, stateVersion: 1, consentVersion: 1 })
        .lean<Pick<ConnectionRecord, 'status' | 'stateVersion' | 'consentVersion'>>()
        .exec();
      if (!current || current.status === ConnectionStatus.Disconnected) return { unchanged: 'already_disconnected' };
      if (current.consentVersion !== started.consentVersion) return { unchanged: 'reconsented' };
      const disconnected = await this.transition({
        documentKey: calendarId.toString(),
        filter: { _id: calendarId, stateVersion: current.stateVersion },
        from: current.status,
        to: ConnectionStatus.Disconnected,
        now,
        set: { disconnectedAt: now, lastError: null, reauthEmailDueAt: null },
        unset: { accessToken: '', refreshToken: '', accessTokenExpiresAt: '' },
      });
      if (disconnected) return { disconnected };
    }
    throw new Error(`Connection ${calendarId.toString()} kept changing; not disconnected`);
  }

  /** Connections owing the consequences of a status change now, most overdue first. */
  findStatusChangesDue(now: Date, limit: number, calendarId?: Types.ObjectId): Promise<ConnectionRecord[]> {
    return this.model
      .find({ ...(calendarId ? { _id: calendarId } : {}), statusChangesDueAt: { $ne: null, $lte: now } })
      .sort({ statusChangesDueAt: 1 })
      .limit(limit)
      .lean<ConnectionRecord[]>()
      .exec();
  }

  /**
   * One consequence of the change at `index` of the connection's status changes is done;
   * recorded only while that change is still there (not yet worked off and removed).
   */
  async recordStatusChangeDone(
    calendarId: Types.ObjectId,
    index: number,
    change: StatusChange,
    consequence: StatusChangeConsequence,
  ): Promise<void> {
    await this.write(
      { _id: calendarId, [`statusChanges.${index}.deliveryId`]: change.deliveryId },
      { $set: { [`statusChanges.${index}.${consequence}`]: true } },
    );
  }

  /**
   * The status changes worked off: removed, unless the connection changed since it was read
   * (`stateVersion`: a newer change owes more); then false and the caller reads it again.
   */
  async completeStatusChanges(connection: ConnectionRecord): Promise<boolean> {
    const result = await this.write(
      { _id: connection._id, stateVersion: connection.stateVersion },
      { $set: { statusChanges: [], statusChangesDueAt: null, statusChangeAttempts: 0 } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * The owed consequences could not all be worked off: try again at `nextAttemptAt`, unless
   * a newer change (`stateVersion`) is owed meanwhile, which is due at once.
   */
  async deferStatusChanges(connection: ConnectionRecord, nextAttemptAt: Date): Promise<void> {
    await this.write(
      { _id: connection._id, stateVersion: connection.stateVersion, statusChangesDueAt: { $ne: null } },
      { $set: { statusChangesDueAt: nextAttemptAt }, $inc: { statusChangeAttempts: 1 } },
    );
  }

  /** Connected connections, by id, in pages (for adopting those that predate a feature). */
  findConnectedIds(afterId: Types.ObjectId | null, limit: number): Promise<WatchingConnection[]> {
    return this.model
      .find({ ...(afterId ? { _id: { $gt: afterId } } : {}), status: ConnectionStatus.Connected }, WATCHING_FIELDS)
      .sort({ _id: 1 })
      .limit(limit)
      .lean<WatchingConnection[]>()
      .exec();
  }

  /**
   * A page of connections (never their tokens), newest (highest id) first, older than
   * `before` (the previous page's last), of one status or all. On MongoDB the index
   * { status: 1, _id: -1 } serves it with a status, the `_id` index without: either way the
   * page is read in order off the index and the read stops at `limit`, nothing sorted.
   */
  findPage(query: { status?: ConnectionStatus; before?: string }, limit: number): Promise<ConnectionPageEntry[]> {
    return this.model
      .find(
        {
          ...(query.status ? { status: query.status } : {}),
          ...(query.before ? { _id: { $lt: new Types.ObjectId(query.before) } } : {}),
        },
        { subaccountId: 1, googleEmail: 1, status: 1, lastError: 1, lastRefreshError: 1, connectedAt: 1 },
      )
      .sort({ _id: -1 })
      .hint(query.status ? { status: 1, _id: -1 } : { _id: 1 })
      .limit(limit)
      .lean<ConnectionPageEntry[]>()
      .exec();
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
    const result = await this.write({ _id: calendarId, [field]: expected }, { $set: { [field]: replacement } });
    return result.modifiedCount === 1;
  }

  /**
   * The one way a connection's status changes: conditional on `filter` (the status read, so
   * `previousStatus` is exact), in one atomic update with its metadata update marked pending,
   * the status change it owes recorded, and `stateVersion` grown; then the relay is told.
   * Null when the filter no longer matched (the caller reads again).
   */
  private async transition(change: {
    documentKey: string;
    filter: Record<string, unknown>;
    from: ConnectionStatus | null;
    to: ConnectionStatus;
    now: Date;
    set: Record<string, unknown>;
    unset?: Record<string, ''>;
    upsert?: boolean;
  }): Promise<ConnectionRecord | null> {
    const owed = owedStatusChange(change.to, change.from, change.now);
    const saved = await this.writes.run(change.documentKey, () =>
      this.model
        .findOneAndUpdate(
          change.filter,
          {
            $set: { ...change.set, status: change.to, ...pendingMetadataUpdate(change.now), ...owed.set },
            $push: owed.push,
            ...(change.unset ? { $unset: change.unset } : {}),
            $inc: { stateVersion: 1 },
          },
          { upsert: change.upsert ?? false, returnDocument: 'after' },
        )
        .lean<ConnectionRecord>()
        .exec(),
    );
    if (saved) this.transitions.notify(saved._id.toString());
    return saved;
  }

  /** An update of the connection `filter._id` names, if it meets the rest of `filter` (DocumentWrites.updateOne). */
  private write(filter: DocumentCondition, update: Record<string, unknown>): Promise<{ modifiedCount: number }> {
    return this.writes.updateOne(this.model, filter, update);
  }
}
