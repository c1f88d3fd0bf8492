import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork } from '@connector-service/app-core';
import { Types } from 'mongoose';
import { ConnectionRepository } from '../connections/connection.repository';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { CalendarSyncService } from './calendar-sync.service';
import { CalendarSyncStateRepository } from './calendar-sync-state.repository';
import { SyncCoalescer } from './sync-coalescer';

/** Pushes within this long of the first are served by one sync (Google sends bursts together). */
const PUSH_DEBOUNCE_MS = 20;
/** At least this long between two syncs of one connection: a stream of pushes gives one sync a second. */
const SYNC_SPACING_MS = 1000;
/** How often due periodic syncs are looked for, and at most how many are started each time. */
const PERIODIC_TICK_MS = 1000;
const PERIODIC_BATCH = 50;
/** Connections that predate change notifications are adopted in pages of this many at start. */
const ADOPTION_PAGE = 500;

/**
 * When connections are synced: on Google's pushes (bursts coalesced), and periodically
 * (CALENDAR_SYNC_INTERVAL_SECONDS, each connection at its own point of the interval, in
 * bounded batches), which catches what a lost push missed and is the only source without
 * GOOGLE_PUSH_URL. Without PLATFORM_WEBHOOK_URL nobody is told of changes, so nothing syncs.
 */
@Injectable()
export class CalendarSyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CalendarSyncScheduler.name);
  private readonly work = new BackgroundWork();
  private readonly coalescer = new SyncCoalescer((calendarId, requestedAt) => this.run(calendarId, requestedAt), {
    debounceMs: PUSH_DEBOUNCE_MS,
    spacingMs: SYNC_SPACING_MS,
  });

  constructor(
    private readonly sync: CalendarSyncService,
    private readonly states: CalendarSyncStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly deliveries: DeliveriesService,
  ) {}

  get enabled(): boolean {
    return this.deliveries.enabled;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.work.every(PERIODIC_TICK_MS, () => this.syncDue());
    this.work.track(this.adoptUnsynced());
  }

  async onApplicationShutdown(): Promise<void> {
    this.coalescer.close();
    await this.work.stop();
  }

  /** A sync of the connection soon; `observedAt`: when the change was noticed (a push). */
  requestSync(calendarId: string, observedAt?: Date): void {
    if (!this.enabled || this.work.stopped) return;
    this.coalescer.request(calendarId, observedAt);
  }

  /** Starts the periodic syncs that are due (a bounded batch); returns how many were requested. */
  syncDue(now = new Date()): Promise<number> {
    return this.work.exclusive('periodic-sync', 0, async () => {
      try {
        const due = await this.states.findDue(now, PERIODIC_BATCH);
        for (const state of due) this.coalescer.request(state._id, now);
        return due.length;
      } catch (error) {
        this.logger.warn(`Periodic sync could not run: ${(error as Error).message}`);
        return 0;
      }
    });
  }

  private run(calendarId: string, requestedAt: Date): Promise<void> {
    const running = this.sync
      .sync(calendarId, { observedAt: requestedAt })
      .then((outcome) => {
        // Another replica is syncing it and may have listed before this change: once more, shortly.
        if (!outcome.ran) this.coalescer.request(calendarId, requestedAt);
      })
      .catch((error: unknown) => {
        this.logger.warn(`Sync of ${calendarId} failed: ${(error as Error).message}`);
      });
    this.work.track(running);
    return running;
  }

  /** Connected connections without a sync state (made before this feature) get their baseline. */
  private async adoptUnsynced(): Promise<void> {
    let after: Types.ObjectId | null = null;
    try {
      for (;;) {
        const page = await this.connections.findConnectedIds(after, ADOPTION_PAGE);
        if (page.length === 0 || this.work.stopped) return;
        const ids = page.map((connection) => connection._id.toString());
        const synced = await this.states.existing(ids);
        for (const id of ids) if (!synced.has(id)) this.coalescer.request(id);
        after = page[page.length - 1]?._id ?? null;
      }
    } catch (error) {
      this.logger.warn(`Adopting connections for sync failed: ${(error as Error).message}`);
    }
  }
}
