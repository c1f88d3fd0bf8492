import { ChangedCalendarEvent } from '@connector-service/contracts';
import { DeliveriesService, DeliveryConnection, changeKey } from '../deliveries/deliveries.service';

/**
 * The deliveries of one sync, tagged with where it started (`syncedFrom`: its sync token,
 * or its baseline). A sync that lost its claim, or whose process died, after enqueuing some
 * pages leaves the stored token where it was, so the next sync lists those changes again
 * from the same start. Before each page it checks the calendar's latest delivery: if another
 * sync from this start enqueued it, the changes that one enqueued are read and skipped. So
 * each change is enqueued once whichever attempt found it, and a sync after a saved token
 * reads nothing more than that latest delivery.
 */
export class SyncDeliveries {
  private readonly ownIds = new Set<string>();
  /** What other syncs from this start enqueued. */
  private enqueuedBefore = new Set<string>();

  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly connection: DeliveryConnection,
    private readonly googleCalendarId: string,
    private readonly syncedFrom: string,
  ) {}

  /** Enqueues the changes not enqueued from this start before; answers how many it enqueued. */
  async enqueue(events: readonly ChangedCalendarEvent[], observedAt: Date): Promise<number> {
    const found = await this.deliveries.changesEnqueuedFrom(
      this.connection,
      this.googleCalendarId,
      this.syncedFrom,
      this.ownIds,
    );
    if (found) this.enqueuedBefore = found;
    const fresh = events.filter((event) => !this.enqueuedBefore.has(changeKey(event)));
    const enqueued = await this.deliveries.enqueueEventChanges(
      this.connection,
      this.googleCalendarId,
      fresh,
      observedAt,
      this.syncedFrom,
    );
    for (const delivery of enqueued) this.ownIds.add(delivery.id);
    return fresh.length;
  }
}
