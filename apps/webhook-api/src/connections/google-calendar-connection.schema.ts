import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ConnectionStatus } from '@connector-service/contracts';
import { currentRequestId } from '@connector-service/app-core';
import { Types } from 'mongoose';
import { newDeliveryId } from '../deliveries/delivery-id';

/**
 * The connector-metadata update a connection owes database-api: the outbox, kept in the
 * connection's own document so it is written in the same atomic step as the state it
 * describes. It always describes the connection's current `stateVersion`; a newer state
 * replaces an undelivered older one instead of queueing behind it. Delivery is guarded by a
 * lease (LeaseRepository).
 */
@Schema({ _id: false })
export class MetadataUpdate {
  @Prop({ default: false })
  pending!: boolean;

  @Prop({ default: 0 })
  attempts!: number;

  @Prop({ type: Date, default: null })
  nextAttemptAt!: Date | null;

  @Prop({ type: String, default: null })
  lastError!: string | null;

  /** The request that caused this state, so the delivery can be followed in both apps' logs. */
  @Prop({ type: String, default: null })
  requestId!: string | null;

  @Prop({ type: Number, default: 0 })
  deliveredVersion!: number;

  @Prop({ type: Date, default: null })
  deliveredAt!: Date | null;
}

/**
 * A status transition whose consequences are still owed, each with its own done flag: the
 * `connection.status_changed` delivery, the calendar's sync and its push channels (for
 * `connected` a sync, a baseline for a newly connected account, and a channel; for the
 * others, both ended). Written with the
 * transition, in the same atomic update, so a crash between the two cannot lose it;
 * ConnectionStatusRelay works it off, setting each flag as that consequence is done (a retry
 * after Google failed the channel redoes neither the delivery nor the baseline), and removes
 * it once all are. The sync and channels owed are those of the state the connection is in
 * now: only the latest change's count, a newer change supersedes an older one's. The
 * metadata update is not among them: it is its own outbox (MetadataUpdate), which describes
 * the latest state only and waits on database-api alone, never on Google.
 */
@Schema({ _id: false })
export class StatusChange {
  /** The `webhook-id` of its delivery, fixed at the transition so a replay cannot send two. */
  @Prop({ type: String, required: true })
  deliveryId!: string;

  @Prop({ type: String, enum: Object.values(ConnectionStatus), required: true })
  status!: ConnectionStatus;

  /** null for the connection's first `connected`; equal to `status` for a re-consent while connected (no delivery owed). */
  @Prop({ type: String, default: null })
  previousStatus!: ConnectionStatus | null;

  @Prop({ type: Date, required: true })
  at!: Date;

  /** Its `connection.status_changed` delivery is stored (DeliveriesService sends it from there). */
  @Prop({ default: false })
  webhookEnqueued!: boolean;

  /** connected: the calendar recorded due and its sync (a baseline if owed) tried; otherwise: its sync state forgotten. */
  @Prop({ default: false })
  syncSettled!: boolean;

  /** connected: a push channel of its Google account open; otherwise: the channels dropped. */
  @Prop({ default: false })
  channelsSettled!: boolean;
}
const StatusChangeSchema = SchemaFactory.createForClass(StatusChange);

/** The done flags of a StatusChange, one per consequence. */
export type StatusChangeConsequence = 'webhookEnqueued' | 'syncSettled' | 'channelsSettled';

/** A calendar the platform chose to watch. */
@Schema({ _id: false, versionKey: false })
export class WatchedCalendarChoice {
  /** Google's own id (the primary calendar by the account's e-mail). */
  @Prop({ type: String, required: true })
  googleCalendarId!: string;

  @Prop({ type: String })
  summary?: string;
}

const WatchedCalendarChoiceSchema = SchemaFactory.createForClass(WatchedCalendarChoice);

export const GOOGLE_CALENDAR_CONNECTION_COLLECTION = 'googlecalendarconnections';

/** One subaccount's Google Calendar connection; its `_id` is the `calendarId`. */
@Schema({ collection: GOOGLE_CALENDAR_CONNECTION_COLLECTION, timestamps: true, versionKey: false })
export class GoogleCalendarConnection {
  _id!: Types.ObjectId;

  @Prop({ required: true })
  subaccountId!: string;

  @Prop({ required: true })
  userEmail!: string;

  @Prop({ required: true })
  googleEmail!: string;

  @Prop({ type: String })
  googleUserId?: string;

  @Prop({ type: [String], default: [] })
  scopes!: string[];

  @Prop({ type: String, enum: Object.values(ConnectionStatus), required: true })
  status!: ConnectionStatus;

  /** Sealed with TokenCipher; absent once disconnected. */
  @Prop({ type: String })
  accessToken?: string;

  @Prop({ type: String })
  refreshToken?: string;

  @Prop({ type: Date })
  accessTokenExpiresAt?: Date;

  @Prop({ type: Date, required: true })
  connectedAt!: Date;

  @Prop({ type: Date, default: null })
  lastRefreshedAt!: Date | null;

  @Prop({ type: Date, default: null })
  disconnectedAt!: Date | null;

  @Prop({ type: String, default: null })
  lastError!: string | null;

  /** Grows with every change of status; metadata updates carry it so late ones lose. */
  @Prop({ default: 0 })
  stateVersion!: number;

  /**
   * The `stateVersion` of the latest consent stored: a disconnect applies only while the
   * consent it started from is still the stored one (a re-consent meanwhile wins).
   */
  @Prop({ type: Number })
  consentVersion?: number;

  /**
   * The `stateVersion` at which the current Google account was connected. A re-consent of
   * the same account while connected keeps it, so the calendar's sync goes on from its token
   * and its push channel stays; another account (or connecting again after access was lost
   * or a disconnect) sets it anew: a new baseline and a new channel. See accountVersionOf.
   */
  @Prop({ type: Number })
  accountVersion?: number;

  /** When the current Google account was connected (kept like `accountVersion`); see accountConnectedAtOf. */
  @Prop({ type: Date })
  accountConnectedAt?: Date;

  /**
   * The calendars the platform chose to watch (Google's ids, with their names when chosen),
   * for the Google account connected at `watchedAccountVersion`; null, or chosen for another
   * account: the primary calendar alone. See watchedCalendarsOf.
   */
  @Prop({ type: [WatchedCalendarChoiceSchema], default: null })
  watchedCalendars!: WatchedCalendarChoice[] | null;

  @Prop({ type: Number, default: null })
  watchedAccountVersion!: number | null;

  @Prop({ type: MetadataUpdate, default: () => ({}) })
  metadataUpdate!: MetadataUpdate;

  /** Failed refreshes in a row (transient ones); the sweep backs off from the connection. */
  @Prop({ default: 0 })
  refreshFailures!: number;

  @Prop({ type: Date, default: null })
  nextRefreshAttemptAt!: Date | null;

  @Prop({ type: String, default: null })
  lastRefreshError!: string | null;

  /** When the user was last e-mailed a reconnect link (at most once a day). */
  @Prop({ type: Date, default: null })
  reauthEmailSentAt!: Date | null;

  /** A reconnect e-mail is owed from this time on (null: none); cleared once SMTP accepted it. */
  @Prop({ type: Date, default: null })
  reauthEmailDueAt!: Date | null;

  /** Failed attempts at the owed reconnect e-mail (the sweep retries it). */
  @Prop({ default: 0 })
  reauthEmailAttempts!: number;

  /** Transitions whose consequences are owed, oldest first (see StatusChange). */
  @Prop({ type: [StatusChangeSchema], default: [] })
  statusChanges!: StatusChange[];

  /** When the relay should next work off `statusChanges` (null: nothing owed). */
  @Prop({ type: Date, default: null })
  statusChangesDueAt!: Date | null;

  /** Failed attempts at the owed consequences in a row (the relay backs off). */
  @Prop({ default: 0 })
  statusChangeAttempts!: number;

  createdAt!: Date;
  updatedAt!: Date;
}

export const GoogleCalendarConnectionSchema = SchemaFactory.createForClass(GoogleCalendarConnection);
GoogleCalendarConnectionSchema.index({ subaccountId: 1 }, { unique: true });
GoogleCalendarConnectionSchema.index({ 'metadataUpdate.pending': 1, 'metadataUpdate.nextAttemptAt': 1 });
GoogleCalendarConnectionSchema.index({ status: 1, lastRefreshedAt: 1 });
GoogleCalendarConnectionSchema.index({ status: 1, reauthEmailDueAt: 1 });
GoogleCalendarConnectionSchema.index({ statusChangesDueAt: 1 });
/** The operator's view of one status, newest first (ConnectionRepository.findPage). */
GoogleCalendarConnectionSchema.index({ status: 1, _id: -1 });

/**
 * The `$set` fields that mark a connection's metadata update as pending, due now, with
 * the id of the request that caused it (the delivery carries it to database-api). Written
 * in the same update as the state change it describes.
 */
export function pendingMetadataUpdate(now: Date): Record<string, unknown> {
  return {
    'metadataUpdate.pending': true,
    'metadataUpdate.attempts': 0,
    'metadataUpdate.nextAttemptAt': now,
    'metadataUpdate.lastError': null,
    'metadataUpdate.requestId': currentRequestId() ?? null,
  };
}

/**
 * The parts of a transition's update that record it as a StatusChange owed now: `$set`
 * fields and the `$push`, merged by the caller into the transition's own update.
 */
export function owedStatusChange(
  status: ConnectionStatus,
  previousStatus: ConnectionStatus | null,
  now: Date,
): { set: Record<string, unknown>; push: { statusChanges: StatusChange } } {
  return {
    set: { statusChangesDueAt: now, statusChangeAttempts: 0 },
    push: {
      statusChanges: {
        deliveryId: newDeliveryId(now),
        status,
        previousStatus,
        at: now,
        webhookEnqueued: false,
        syncSettled: false,
        channelsSettled: false,
      },
    },
  };
}
