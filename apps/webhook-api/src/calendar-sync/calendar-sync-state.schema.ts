import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { WatchEndedReason } from '@connector-service/contracts';

export const CALENDAR_SYNC_STATE_COLLECTION = 'calendarsyncstates';

/**
 * Where the sync of one watched calendar of a connection stands: Google's `syncToken` of the
 * last complete sync and when the next sync is due, or that it ended (Google no longer lets
 * the account read the calendar). Kept for connected connections only; written only by the
 * holder of the calendar's sync claim, and the token only over the one it started from.
 */
@Schema({ collection: CALENDAR_SYNC_STATE_COLLECTION, versionKey: false })
export class CalendarSyncState {
  /** `<connection id>:<googleCalendarId>` (watchKey). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The connection's id. */
  @Prop({ type: String, required: true })
  calendarId!: string;

  /** Google's id of the calendar synced (the account's e-mail for the primary calendar). */
  @Prop({ type: String, required: true })
  googleCalendarId!: string;

  /**
   * Set when Google stopped letting the account read the calendar (404, 403, 410): it is no
   * longer synced, and `calendar.watch_ended` is sent once (`endedDeliveryId`, enqueued
   * while `nextSyncAt` is still set; null once it is).
   */
  @Prop({ type: String, default: null })
  endedReason!: WatchEndedReason | null;

  /** The `calendar.watch_ended` delivery's id, fixed when the calendar ended (a retry enqueues it once). */
  @Prop({ type: String, default: null })
  endedDeliveryId!: string | null;

  /**
   * The connection's `accountVersion` (the `stateVersion` at which its Google account was
   * connected) the baseline was taken for: a re-consent of the same account keeps it and the
   * sync goes on from its token; another account (or connecting after access was lost) takes a new baseline.
   */
  @Prop({ type: Number, required: true })
  stateVersion!: number;

  /**
   * Stored only once every change it follows was handed to the delivery outbox; null while
   * the baseline has not been taken (it failed and is retried at `nextSyncAt`).
   */
  @Prop({ type: String, default: null })
  syncToken!: string | null;

  /**
   * When the next sync is due: CALENDAR_SYNC_INTERVAL_SECONDS after the last without a live
   * push channel, CALENDAR_BACKSTOP_INTERVAL_SECONDS (spread) with one, sooner after a push
   * that met another replica's sync, later while failures back off; null once it ended and
   * its `calendar.watch_ended` was enqueued.
   */
  @Prop({ type: Date, default: null })
  nextSyncAt!: Date | null;

  /**
   * A push that arrived while another replica held the sync: the holder's sync may have
   * listed before the change, so it leaves the calendar due again instead of saving it synced.
   */
  @Prop({ type: Date, default: null })
  syncRequestedAt!: Date | null;

  @Prop({ type: Date, default: null })
  lastSyncedAt!: Date | null;

  /**
   * For a baseline still to take: when the connection was made. The baseline delivers what
   * changed since then, so a baseline taken late loses nothing; null once it is taken (and for
   * connections adopted at start, whose baseline delivers nothing).
   */
  @Prop({ type: Date, default: null })
  baselineChangesSince!: Date | null;

  /** Failed syncs in a row; the periodic sync backs off. */
  @Prop({ type: Number, default: 0 })
  failures!: number;

  @Prop({ type: String, default: null })
  lastError!: string | null;
}

export const CalendarSyncStateSchema = SchemaFactory.createForClass(CalendarSyncState);
CalendarSyncStateSchema.index({ nextSyncAt: 1 });
CalendarSyncStateSchema.index({ calendarId: 1 });

/** The sync state's id of a connection's watched calendar. */
export function watchKey(calendarId: string, googleCalendarId: string): string {
  return `${calendarId}:${googleCalendarId}`;
}

/** A watched calendar: the connection and Google's id of the calendar. */
export interface WatchedCalendarRef {
  calendarId: string;
  googleCalendarId: string;
}

/** The connection and calendar of a sync state's id (a connection id is 24 characters). */
export function parseWatchKey(key: string): WatchedCalendarRef {
  return { calendarId: key.slice(0, 24), googleCalendarId: key.slice(25) };
}
