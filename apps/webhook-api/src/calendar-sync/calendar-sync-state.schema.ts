import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const CALENDAR_SYNC_STATE_COLLECTION = 'calendarsyncstates';

/**
 * Where a connection's calendar sync stands: Google's `syncToken` of the last complete sync
 * and when the periodic sync is due. Kept for connected connections only.
 */
@Schema({ collection: CALENDAR_SYNC_STATE_COLLECTION, versionKey: false })
export class CalendarSyncState {
  /** The connection's id. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** Google's id of the calendar synced (the account's e-mail for the primary calendar). */
  @Prop({ type: String, required: true })
  googleCalendarId!: string;

  /** The connection's `stateVersion` the baseline was taken for; another one (a reconnect) takes a new baseline. */
  @Prop({ type: Number, required: true })
  stateVersion!: number;

  /** Stored only once every change it follows was handed to the delivery outbox. */
  @Prop({ type: String, required: true })
  syncToken!: string;

  /** When the periodic sync is due (spread over the interval). */
  @Prop({ type: Date, required: true })
  nextSyncAt!: Date;

  @Prop({ type: Date, required: true })
  lastSyncedAt!: Date;

  /** Failed syncs in a row; the periodic sync backs off. */
  @Prop({ type: Number, default: 0 })
  failures!: number;

  @Prop({ type: String, default: null })
  lastError!: string | null;
}

export const CalendarSyncStateSchema = SchemaFactory.createForClass(CalendarSyncState);
CalendarSyncStateSchema.index({ nextSyncAt: 1 });
