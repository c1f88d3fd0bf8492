import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ConnectionStatus } from '@connector-service/contracts';
import { currentRequestId } from '@connector-service/app-core';
import { Types } from 'mongoose';
import { newDeliveryId } from '../deliveries/delivery-id';

/**
 * The pending metadata update of a connection: the outbox, kept in the connection's own
 * document so it is written in the same atomic step as the state it describes. It always
 * describes the connection's current `stateVersion`; a newer state replaces an undelivered
 * older one instead of queueing behind it. Delivery is guarded by a lease (LeaseRepository).
 */
@Schema({ _id: false })
export class MetadataSync {
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
 * A status transition whose consequences are still owed: the `connection.status_changed`
 * delivery and, for `connected`, the calendar's baseline and push channel (or, for the
 * others, dropping them). Written with the transition, in the same atomic update, so a crash
 * between the two cannot lose it; ConnectionStatusRelay works it off and removes it.
 */
@Schema({ _id: false })
export class StatusChange {
  /** The `webhook-id` of its delivery, fixed at the transition so a replay cannot send two. */
  @Prop({ type: String, required: true })
  deliveryId!: string;

  @Prop({ type: String, enum: Object.values(ConnectionStatus), required: true })
  status!: ConnectionStatus;

  /** null for the connection's first `connected`; equal to `status` for a re-consent while connected. */
  @Prop({ type: String, default: null })
  previousStatus!: ConnectionStatus | null;

  @Prop({ type: Date, required: true })
  at!: Date;
}
const StatusChangeSchema = SchemaFactory.createForClass(StatusChange);

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

  @Prop({ type: MetadataSync, default: () => ({}) })
  sync!: MetadataSync;

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
GoogleCalendarConnectionSchema.index({ 'sync.pending': 1, 'sync.nextAttemptAt': 1 });
GoogleCalendarConnectionSchema.index({ status: 1, lastRefreshedAt: 1 });
GoogleCalendarConnectionSchema.index({ status: 1, reauthEmailDueAt: 1 });
GoogleCalendarConnectionSchema.index({ statusChangesDueAt: 1 });

/**
 * The `$set` fields that mark a connection's metadata update as pending, due now, with
 * the id of the request that caused it (the delivery carries it to database-api). Written
 * in the same update as the state change it describes.
 */
export function pendingMetadataUpdate(now: Date): Record<string, unknown> {
  return {
    'sync.pending': true,
    'sync.attempts': 0,
    'sync.nextAttemptAt': now,
    'sync.lastError': null,
    'sync.requestId': currentRequestId() ?? null,
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
    push: { statusChanges: { deliveryId: newDeliveryId(now), status, previousStatus, at: now } },
  };
}
