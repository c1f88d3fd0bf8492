import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller } from '@connector-service/app-core';
import { Types } from 'mongoose';
import { ConnectionRepository, WatchingConnection } from '../connections/connection.repository';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { PushChannelsService } from '../push-channels/push-channels.service';
import { PushNotifications } from '../push-channels/push-notifications';
import { CalendarSyncService } from './calendar-sync.service';
import { CalendarSyncState, watchKey } from './calendar-sync-state.schema';
import { CalendarSyncStateRepository } from './calendar-sync-state.repository';
import { SyncCoalescer } from './sync-coalescer';

/** Pushes within this long of the first are served by one sync (Google sends bursts together). */
const PUSH_DEBOUNCE_MS = 20;
/** At least this long between two syncs of one connection: a stream of pushes gives one sync a second. */
const SYNC_SPACING_MS = 1000;
/** How often due syncs are looked for. */
const PERIODIC_TICK_MS = 1000;
/** Syncs this replica runs at once (pushes and due syncs together): bounds its memory, database and Google load. */
const MAX_CONCURRENT_SYNCS = 8;
/** One sync may take this long at most (many pages, a slow Google); its Google calls are cut there. */
const SYNC_DEADLINE_MS = 10 * 60_000;
/** Connections that predate change notifications are adopted in pages of this many at start. */
const ADOPTION_PAGE = 500;

/**
 * When connections are synced: on Google's pushes (bursts coalesced), and when due (the
 * state's `nextSyncAt`: every CALENDAR_SYNC_INTERVAL_SECONDS without a live channel, as a
 * backstop with one, at once for a new connection), with at most MAX_CONCURRENT_SYNCS at a
 * time per replica. A due sync is claimed by one replica and done once (it is skipped by a
 * replica that finds it synced meanwhile); a push that meets another replica's sync leaves
 * the calendar due, so it is synced once more after that one. Without PLATFORM_WEBHOOK_URL
 * nobody is told of changes, so nothing syncs.
 */
@Injectable()
export class CalendarSyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CalendarSyncScheduler.name);
  private readonly work = new BackgroundWork();
  private readonly slots = new ConcurrencyLimit(MAX_CONCURRENT_SYNCS);
  private readonly due = new DuePoller<Pick<CalendarSyncState, '_id' | 'nextSyncAt'>>(this.work, {
    name: 'due-syncs',
    intervalMs: PERIODIC_TICK_MS,
    slots: this.slots,
    itemDeadlineMs: SYNC_DEADLINE_MS,
    findDue: (now, limit) => this.states.findDue(now, limit),
    keyOf: (state) => state._id,
    work: (state, now) => this.sync.sync(state._id, { dueBy: now }),
    warn: (message) => this.logger.warn(message),
  });
  private readonly coalescer = new SyncCoalescer((calendarId, requestedAt) => this.runPushed(calendarId, requestedAt), {
    debounceMs: PUSH_DEBOUNCE_MS,
    spacingMs: SYNC_SPACING_MS,
  });

  constructor(
    private readonly sync: CalendarSyncService,
    private readonly states: CalendarSyncStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly deliveries: DeliveriesService,
    private readonly pushes: PushNotifications,
    private readonly pushChannels: PushChannelsService,
  ) {}

  get enabled(): boolean {
    return this.deliveries.enabled;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    // Before anything reads them by their new ids.
    const migrated = await this.states.migrateConnectionStates();
    if (migrated > 0) this.logger.log(`${migrated} sync state(s) given the id of their watched calendar`);
    this.pushes.subscribe((calendarId, googleCalendarId, receivedAt) =>
      this.requestSync(watchKey(calendarId, googleCalendarId), receivedAt),
    );
    this.due.start();
    this.work.track(this.adoptUnsynced());
  }

  async onApplicationShutdown(): Promise<void> {
    this.coalescer.close();
    await this.work.stop();
  }

  /** A sync of the watched calendar (watchKey) soon; `observedAt`: when the change was noticed (a push). */
  requestSync(key: string, observedAt?: Date): void {
    if (!this.enabled || this.work.stopped) return;
    this.coalescer.request(key, observedAt);
  }

  /**
   * The connection's watched calendars are to be synced (it became connected, or the
   * platform chose others): those without a sync state recorded as due, so whichever replica
   * gets to each first takes its baseline, also after a restart; those no longer watched
   * forgotten. The keys of the calendars due. `changesSince`: what their baselines deliver.
   */
  async markDue(connection: WatchingConnection, changesSince: Date | null): Promise<string[]> {
    return this.enabled ? this.sync.reconcile(connection, changesSince) : [];
  }

  private runPushed(key: string, requestedAt: Date): Promise<void> {
    const running = this.slots
      .run(() => this.sync.sync(key, { observedAt: requestedAt }))
      .then(async (outcome) => {
        // Another replica is syncing it and may have listed before this change: it stays due.
        if (!outcome.ran) await this.sync.requestSync(key, requestedAt);
      })
      .catch((error: unknown) => {
        this.logger.warn(`Sync of ${key} failed: ${(error as Error).message}`);
      });
    this.work.track(running);
    return running;
  }

  /**
   * Connected connections without a sync state (made before this feature) are made due, and
   * those without a push channel get one owed (opened by the channels' renewal poll, which
   * bounds and backs off the Google calls); both are idempotent, so a start that stopped
   * halfway is finished by the next.
   */
  private async adoptUnsynced(): Promise<void> {
    let after: Types.ObjectId | null = null;
    try {
      for (;;) {
        const page = await this.connections.findConnectedIds(after, ADOPTION_PAGE);
        if (page.length === 0 || this.work.stopped) return;
        const ids = page.map((connection) => connection._id.toString());
        const synced = await this.states.existing(ids);
        for (const connection of page) {
          // Made before change notifications: the baseline delivers nothing.
          if (!synced.has(connection._id.toString())) await this.sync.reconcile(connection, null);
        }
        await this.pushChannels.oweChannels(ids);
        after = page[page.length - 1]?._id ?? null;
      }
    } catch (error) {
      this.logger.warn(`Adopting connections for sync failed: ${(error as Error).message}`);
    }
  }
}
