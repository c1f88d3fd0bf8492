import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { DeliveryStatus, DeliveryType } from '@connector-service/contracts';

export const DELIVERY_COLLECTION = 'deliveries';

/**
 * One change notification for the platform, from enqueue until it lands (or is given up).
 * `stream` names what it is ordered within (one connection's calendar for event changes,
 * one connection for status changes) and `position` its place there, unique per stream:
 * that unique index is what allocates positions without gaps (see DeliveryRepository).
 */
@Schema({ collection: DELIVERY_COLLECTION, versionKey: false })
export class Delivery {
  /** The Standard Webhooks `webhook-id`, the same on every attempt. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, enum: Object.values(DeliveryType), required: true })
  type!: DeliveryType;

  /** The connection's id. */
  @Prop({ type: String, required: true })
  calendarId!: string;

  @Prop({ type: String, required: true })
  subaccountId!: string;

  @Prop({ type: String, default: null })
  googleCalendarId!: string | null;

  /** `data.sequence` of an event delivery (its position in the calendar's stream). */
  @Prop({ type: Number, default: null })
  sequence!: number | null;

  @Prop({ type: String, required: true })
  stream!: string;

  @Prop({ type: Number, required: true })
  position!: number;

  /**
   * The exact JSON text sent (and signed) on every attempt. Kept as text, not as a
   * document: the events are Google's and may hold what FerretDB cannot store (arrays in
   * arrays, `$` keys), and a retry must send the very bytes the first attempt signed.
   */
  @Prop({ type: String, required: true })
  body!: string;

  @Prop({ type: String, enum: Object.values(DeliveryStatus), required: true })
  status!: DeliveryStatus;

  /** Attempts since it was enqueued (or last retried by hand). */
  @Prop({ type: Number, default: 0 })
  attempts!: number;

  /** When it may be tried next (pending only; a follower waits for its stream's head). */
  @Prop({ type: Date, default: null })
  nextAttemptAt!: Date | null;

  @Prop({ type: String, default: null })
  lastError!: string | null;

  @Prop({ type: Number, default: null })
  lastStatusCode!: number | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** When the change was first noticed (Google's push), if before `createdAt`: delivery latency starts there. */
  @Prop({ type: Date, default: null })
  observedAt!: Date | null;

  /** Starts the retry window (reset by a retry by hand). */
  @Prop({ type: Date, default: null })
  firstAttemptAt!: Date | null;

  @Prop({ type: Date, default: null })
  deliveredAt!: Date | null;

  /** When it was given up (status `failed`); DELIVERY_ARCHIVE_RETENTION_DAYS count from here. */
  @Prop({ type: Date, default: null })
  failedAt!: Date | null;

  /**
   * Event changes: where the sync that enqueued it started (its sync token, or its baseline),
   * and the changes it carries (`eventId@updated`), so that a sync from the same start after
   * one that lost its claim (or died) before saving its token enqueues none of them again.
   */
  @Prop({ type: String, default: null })
  syncedFrom!: string | null;

  @Prop({ type: [String], default: undefined })
  changeKeys?: string[];
}

export const DeliverySchema = SchemaFactory.createForClass(Delivery);
/** Allocates positions, and finds a stream's head and its ended ones in position order. */
DeliverySchema.index({ stream: 1, position: 1 }, { unique: true });
/** The poll: due pending deliveries in due order, their stream read from the index alone. */
DeliverySchema.index({ status: 1, nextAttemptAt: 1, stream: 1 });
/** The deliveries route: a status in id (creation) order. */
DeliverySchema.index({ status: 1, _id: 1 });
/** The operator's view: a connection's pending and failed ones counted (DeliveryRepository.countByConnection). */
DeliverySchema.index({ calendarId: 1, status: 1, failedAt: 1 });

export const DELIVERED_COLLECTION = 'delivereddeliveries';
export const DELIVERED_MODEL = 'DeliveredDelivery';

/**
 * The archive of ended deliveries (delivered and, since they are pruned alike, failed: the
 * name is older), moved out of `deliveries` once a later one of their stream has ended, so
 * that `deliveries` holds what is still to do plus what ended last in each stream. The hot
 * path only writes here (FerretDB 1.x reads a collection whole for every lookup); the
 * deliveries route reads failed ones, and the hourly prune deletes by the time they ended.
 */
export const DeliveredDeliverySchema = DeliverySchema.clone();
DeliveredDeliverySchema.clearIndexes();
DeliveredDeliverySchema.index({ deliveredAt: 1 });
DeliveredDeliverySchema.index({ failedAt: 1 });
DeliveredDeliverySchema.index({ status: 1, _id: 1 });
/** The operator's view: a connection's failed ones counted. */
DeliveredDeliverySchema.index({ calendarId: 1, status: 1, failedAt: 1 });
/** A sync that starts where a lost one did: what that one enqueued (rarely read). */
DeliveredDeliverySchema.index({ stream: 1, syncedFrom: 1 });
