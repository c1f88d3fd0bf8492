import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const CALENDAR_EVENT_MEMORY_COLLECTION = 'calendareventmemories';

/**
 * What a webhook needs of one Google event as a sync last saw it (its summary, times, tags, the
 * series it belongs to), because Google lists a deleted event with its `id` and `status` alone.
 * One per (connection, Google calendar, event); written only by the sync of that calendar while
 * it holds its claim; dropped when the event is cancelled and when the connection's sync is
 * forgotten.
 */
@Schema({ collection: CALENDAR_EVENT_MEMORY_COLLECTION, versionKey: false })
export class CalendarEventMemory {
  /** eventMemoryId(calendarId, googleCalendarId, eventId): a page's events are read by `_id` at once. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The connection's id. */
  @Prop({ type: String, required: true })
  calendarId!: string;

  /** Google's id of the calendar the event is on (the account's e-mail for the primary calendar). */
  @Prop({ type: String, required: true })
  googleCalendarId!: string;

  /** Google's id of the event. */
  @Prop({ type: String, required: true })
  eventId!: string;

  /** The remembered fields of the event in the contract's shape, by name (REMEMBERED_FIELDS). */
  @Prop({ type: Object, required: true })
  fields!: Record<string, unknown>;

  @Prop({ type: Date, required: true })
  rememberedAt!: Date;
}

export const CalendarEventMemorySchema = SchemaFactory.createForClass(CalendarEventMemory);
// Forgetting a connection (or one of its calendars) deletes by this prefix.
CalendarEventMemorySchema.index({ calendarId: 1, googleCalendarId: 1 });

/** The `_id` of an event's memory: unambiguous whatever characters the three ids hold. */
export function eventMemoryId(calendarId: string, googleCalendarId: string, eventId: string): string {
  return JSON.stringify([calendarId, googleCalendarId, eventId]);
}
