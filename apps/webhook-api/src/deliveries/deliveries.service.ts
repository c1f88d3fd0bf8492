import { HttpStatus, Injectable } from '@nestjs/common';
import { DomainException, NotFoundDomainException } from '@connector-service/app-core';
import {
  CalendarEventsChangedPayload,
  CalendarWatchEndedPayload,
  ChangedCalendarEvent,
  ConnectionStatusChangedPayload,
  DeliveryDto,
  DeliveryPageDto,
  DeliveryStatus,
  DeliveryType,
  ErrorCode,
  ListDeliveriesQueryDto,
  WatchEndedReason,
} from '@connector-service/contracts';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { newDeliveryId } from './delivery-id';
import { Delivery } from './delivery.schema';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryWorker } from './delivery.worker';
import { PlatformWebhookClient } from './platform-webhook.client';

/** Events per `calendar.events.changed` delivery; more changes are split over consecutive sequences. */
export const MAX_EVENTS_PER_DELIVERY = 100;
const DEFAULT_PAGE = 50;

/** What an enqueue stored: the delivery's id (its `webhook-id`) and, for event changes, its sequence. */
export interface EnqueuedDelivery {
  readonly id: string;
  readonly sequence: number | null;
}

export interface DeliveryConnection {
  /** The connection's id. */
  readonly calendarId: string;
  readonly subaccountId: string;
}

export interface StatusChange extends DeliveryConnection {
  readonly status: string;
  /** null for a connection's first `connected`. */
  readonly previousStatus: string | null;
  /**
   * Its `webhook-id`, when the caller fixed it beforehand: enqueuing the same id again stores
   * nothing new (a relay replaying after a crash sends one delivery, not two).
   */
  readonly deliveryId?: string;
}

export interface WatchEnded extends DeliveryConnection {
  readonly googleCalendarId: string;
  readonly reason: WatchEndedReason;
  /** Its `webhook-id`, fixed when the calendar ended: enqueuing it again stores nothing new. */
  readonly deliveryId: string;
}

/**
 * Change notifications for the platform (CONTRACT.md, "Change notifications"). Each enqueue
 * is stored in MongoDB before it returns and then delivered at least once, in order per
 * stream, by DeliveryWorker. Without PLATFORM_WEBHOOK_URL nothing is stored or sent: the
 * enqueues answer an empty list / null.
 */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly worker: DeliveryWorker,
    private readonly client: PlatformWebhookClient,
    private readonly config: WebhookApiConfig,
  ) {}

  /** Whether deliveries are stored and sent (PLATFORM_WEBHOOK_URL is set). */
  get enabled(): boolean {
    return this.client.enabled;
  }

  /**
   * Enqueues `calendar.events.changed` for one calendar of a connection: one delivery per
   * MAX_EVENTS_PER_DELIVERY events, numbered on from the calendar's last `sequence`.
   * `observedAt`: when the change was first noticed (the push), where delivery latency starts.
   * `syncedFrom`: where the sync that found them started (see changesEnqueuedFrom).
   */
  async enqueueEventChanges(
    connection: DeliveryConnection,
    googleCalendarId: string,
    events: readonly ChangedCalendarEvent[],
    observedAt?: Date,
    syncedFrom?: string,
  ): Promise<EnqueuedDelivery[]> {
    if (!this.enabled || events.length === 0) return [];
    const stream = eventStream(connection, googleCalendarId);
    const enqueued: EnqueuedDelivery[] = [];
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_DELIVERY) {
      const chunk = events.slice(start, start + MAX_EVENTS_PER_DELIVERY);
      const delivery = await this.deliveries.append(stream, (sequence) => {
        const createdAt = new Date();
        const payload: CalendarEventsChangedPayload = {
          type: DeliveryType.CalendarEventsChanged,
          timestamp: createdAt.toISOString(),
          data: {
            subaccountId: connection.subaccountId,
            calendarId: connection.calendarId,
            googleCalendarId,
            sequence,
            events: chunk,
          },
        };
        return {
          _id: newDeliveryId(createdAt),
          type: DeliveryType.CalendarEventsChanged,
          calendarId: connection.calendarId,
          subaccountId: connection.subaccountId,
          googleCalendarId,
          sequence,
          stream,
          body: JSON.stringify(payload),
          createdAt,
          observedAt: observedAt ?? null,
          syncedFrom: syncedFrom ?? null,
          ...(syncedFrom === undefined ? {} : { changeKeys: chunk.map(changeKey) }),
        };
      });
      enqueued.push({ id: delivery._id, sequence: delivery.sequence });
    }
    this.worker.deliverSoon(stream);
    return enqueued;
  }

  /**
   * The changes (changeKey) that syncs from `syncedFrom` enqueued for this calendar, if one
   * other than `ownIds` did so last: a sync that starts where an earlier one lost its claim
   * or died skips them. null (nothing read but the stream's latest) when the latest delivery
   * is not such a one, as after every sync that saved its token.
   */
  async changesEnqueuedFrom(
    connection: DeliveryConnection,
    googleCalendarId: string,
    syncedFrom: string,
    ownIds: ReadonlySet<string>,
  ): Promise<Set<string> | null> {
    if (!this.enabled) return null;
    const stream = eventStream(connection, googleCalendarId);
    const tail = await this.deliveries.tail(stream);
    if (!tail || tail.syncedFrom !== syncedFrom || ownIds.has(tail._id)) return null;
    return new Set(await this.deliveries.changeKeysFrom(stream, syncedFrom));
  }

  /** Enqueues `calendar.watch_ended` (once per id). */
  enqueueWatchEnded(ended: WatchEnded): Promise<EnqueuedDelivery | null> {
    const { subaccountId, calendarId, googleCalendarId, reason } = ended;
    return this.enqueueOnce(`watch:${calendarId}:${googleCalendarId}`, ended, googleCalendarId, (timestamp) => ({
      type: DeliveryType.CalendarWatchEnded,
      timestamp,
      data: { subaccountId, calendarId, googleCalendarId, reason },
    }));
  }

  /** Enqueues `connection.status_changed`; ordered with the connection's other status changes. */
  enqueueStatusChanged(change: StatusChange): Promise<EnqueuedDelivery | null> {
    const { subaccountId, calendarId, status, previousStatus } = change;
    return this.enqueueOnce(`status:${calendarId}`, change, null, (timestamp) => ({
      type: DeliveryType.ConnectionStatusChanged,
      timestamp,
      data: { subaccountId, calendarId, status, previousStatus },
    }));
  }

  /**
   * Appends one delivery without a sequence to `stream`; one whose fixed `deliveryId` is
   * stored already is not stored again (a retry after a crash sends one delivery, not two).
   */
  private async enqueueOnce(
    stream: string,
    owner: DeliveryConnection & { deliveryId?: string },
    googleCalendarId: string | null,
    payloadAt: (timestamp: string) => CalendarWatchEndedPayload | ConnectionStatusChangedPayload,
  ): Promise<EnqueuedDelivery | null> {
    if (!this.enabled) return null;
    if (owner.deliveryId !== undefined && (await this.deliveries.findById(owner.deliveryId))) {
      return { id: owner.deliveryId, sequence: null };
    }
    const delivery = await this.deliveries.append(stream, () => {
      const createdAt = new Date();
      const payload = payloadAt(createdAt.toISOString());
      return {
        _id: owner.deliveryId ?? newDeliveryId(createdAt),
        type: payload.type,
        calendarId: owner.calendarId,
        subaccountId: owner.subaccountId,
        googleCalendarId,
        sequence: null,
        stream,
        body: JSON.stringify(payload),
        createdAt,
        observedAt: null,
        syncedFrom: null,
      };
    });
    this.worker.deliverSoon(stream);
    return { id: delivery._id, sequence: null };
  }

  async list(query: ListDeliveriesQueryDto): Promise<DeliveryPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const page = await this.deliveries.list(query.status, limit + 1, query.after, this.retainedSince(new Date()));
    const items = page.slice(0, limit);
    return {
      items: items.map(toDto),
      nextCursor: page.length > limit ? (items[items.length - 1]?._id ?? null) : null,
    };
  }

  /**
   * Per connection, its pending deliveries and its failed ones still listed by `list` (within
   * the retention); connections without any are left out.
   */
  countsByConnection(calendarIds: string[]): Promise<Map<string, { pending: number; failed: number }>> {
    if (calendarIds.length === 0) return Promise.resolve(new Map());
    return this.deliveries.countByConnection(calendarIds, this.retainedSince(new Date()));
  }

  /** A failed delivery back to pending, tried now with a fresh retry window. */
  async retry(id: string): Promise<DeliveryDto> {
    const delivery = await this.deliveries.findById(id);
    // Past the retention a failed one is gone, though its stream may keep it as its latest.
    if (!delivery || (delivery.failedAt && delivery.failedAt < this.retainedSince(new Date()))) {
      throw new NotFoundDomainException(ErrorCode.NotFound, 'No delivery with this id');
    }
    if (delivery.status === DeliveryStatus.Delivered) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.AlreadyDelivered,
        'This delivery has been delivered already',
      );
    }
    await this.deliveries.requeue(id, new Date());
    this.worker.deliverSoon(delivery.stream);
    const now = await this.deliveries.findById(id);
    return toDto(now ?? delivery);
  }

  /** Deliveries that ended before this are deleted (DELIVERY_ARCHIVE_RETENTION_DAYS). */
  private retainedSince(now: Date): Date {
    return new Date(now.getTime() - this.config.DELIVERY_ARCHIVE_RETENTION_DAYS * 86_400_000);
  }
}

/** One change of one event, as a sync finds it: the same change listed again has the same key. */
export function changeKey(event: ChangedCalendarEvent): string {
  return `${event.id}@${typeof event['updated'] === 'string' ? event['updated'] : event.status}`;
}

function eventStream(connection: DeliveryConnection, googleCalendarId: string): string {
  return `events:${connection.calendarId}:${googleCalendarId}`;
}

function toDto(delivery: Delivery): DeliveryDto {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: delivery._id,
    type: delivery.type,
    status: delivery.status,
    calendarId: delivery.calendarId,
    subaccountId: delivery.subaccountId,
    googleCalendarId: delivery.googleCalendarId,
    sequence: delivery.sequence,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt.toISOString(),
    firstAttemptAt: iso(delivery.firstAttemptAt),
    nextAttemptAt: iso(delivery.nextAttemptAt),
    deliveredAt: iso(delivery.deliveredAt),
    lastError: delivery.lastError,
    lastStatusCode: delivery.lastStatusCode,
  };
}
