import { Injectable, Logger } from '@nestjs/common';
import { DomainException, retryDelayMs } from '@connector-service/app-core';
import { ConnectionStatus, ErrorCode, WatchEndedReason } from '@connector-service/contracts';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository, WatchingConnection } from '../connections/connection.repository';
import { accountVersionOf, watchedCalendarsOf } from '../connections/google-account';
import { toEventFields } from '../calendar/calendar-event.mapper';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { calendarAccessLost } from '../google/calendar-access';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi, GoogleEvent } from '../google/google-calendar.api';
import { Claim, ClaimLostError } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { PushChannelsService } from '../push-channels/push-channels.service';
import { newDeliveryId } from '../deliveries/delivery-id';
import { CalendarSyncMetrics } from './calendar-sync.metrics';
import { CalendarSyncStateRepository, SyncStart } from './calendar-sync-state.repository';
import { CalendarSyncState, WatchedCalendarRef, parseWatchKey, watchKey } from './calendar-sync-state.schema';
import { changedSince, inResyncWindow } from './changed-events';
import { EventMemory } from './event-memory';
import { SyncDeliveries } from './sync-deliveries';

export type SyncKind = 'baseline' | 'incremental' | 'full_resync';

export type SyncOutcome =
  | { ran: true; kind: SyncKind; changes: number }
  /** Not connected (any more), or the calendar no longer watched: nothing to sync, its state is dropped. */
  | { ran: true; kind: 'not_connected' | 'not_watched'; changes: 0 }
  /** Google no longer lets the account read the calendar: it ended (`calendar.watch_ended` sent once). */
  | { ran: true; kind: 'ended'; changes: 0 }
  /** Asked for as due, but another sync made it not due any more: nothing done. */
  | { ran: true; kind: 'not_due'; changes: 0 }
  /** Another sync saved a newer token meanwhile: this one saved nothing. */
  | { ran: true; kind: 'superseded'; changes: 0 }
  /** Another replica is syncing this connection right now. */
  | { ran: false };

export interface SyncOptions {
  /** When the change was noticed (a push): where the deliveries' latency starts. */
  observedAt?: Date;
  /** Sync only if still due by then (the periodic sync): another replica may have synced it meanwhile. */
  dueBy?: Date;
}

/** Failed syncs back off (doubling) up to at least this long. */
const MIN_MAX_FAILURE_DELAY_MS = 5 * 60_000;
/** Each calendar's backstop is spread by up to this share either way. */
const BACKSTOP_SPREAD = 0.25;

/**
 * The sync of one watched calendar of a connection (each has its own state, token and
 * `sequence`), one at a time across replicas (a claim per watched calendar, renewed while
 * the sync runs). The first sync of a connected Google account's calendar takes the
 * baseline (the events then are not delivered; a re-consent of the same account takes none);
 * every later one lists the changes since the stored
 * `syncToken`, page by page, each page handed to the delivery outbox before the next is
 * read, and stores the new token only after the last, and only over the token it started
 * from. A token Google refuses (410) gives a full listing, every event in the resync window
 * delivered as changed, and a fresh token. A calendar Google no longer lets the account read
 * (404, 403, 410 outside a sync token) ends: its channel is stopped, `calendar.watch_ended`
 * is enqueued once, and it is synced no more. A sync that loses its claim stops before its
 * next Google call or write (ClaimLostError).
 */
@Injectable()
export class CalendarSyncService {
  private readonly logger = new Logger(CalendarSyncService.name);

  constructor(
    private readonly states: CalendarSyncStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly google: GoogleCalendarApi,
    private readonly deliveries: DeliveriesService,
    private readonly channels: PushChannelsService,
    private readonly leases: LeaseService,
    private readonly config: WebhookApiConfig,
    private readonly metrics: CalendarSyncMetrics,
    private readonly eventMemory: EventMemory,
  ) {}

  /**
   * Syncs the watched calendar (its state's key, watchKey) now unless another replica is
   * (`{ ran: false }`). Throws when Google fails (the state records it and the next sync
   * backs off) or the claim is lost.
   */
  async sync(key: string, options: SyncOptions = {}): Promise<SyncOutcome> {
    // Replicas read one due list: an item another replica synced since the look is skipped by
    // a read, not a claim (two writes). Whether it is due is read again under the claim.
    if (options.dueBy) {
      const state = await this.states.findById(key);
      // Without a state yet, a first sync decides under its claim.
      if (state && !dueBy(state, options.dueBy)) return { ran: true, kind: 'not_due', changes: 0 };
    }
    const outcome = await this.leases.runExclusive(`calendar-sync:${key}`, (claim) =>
      this.syncUnderClaim(claim, parseWatchKey(key), options),
    );
    return outcome.ran ? outcome.value : { ran: false };
  }

  /** A push met another replica's sync: the calendar stays due, so it is synced once more after that one. */
  async requestSync(key: string, at: Date): Promise<void> {
    await this.states.requestSync(key, at);
  }

  /** Forgets the sync of every calendar of a connection (it is no longer connected). */
  async forget(calendarId: string): Promise<void> {
    await this.states.deleteByConnection(calendarId);
    await this.eventMemory.forgetCalendar(calendarId);
  }

  /**
   * Brings the connection's sync states in line with the calendars it watches: each watched
   * calendar without one is due now (a baseline that delivers what changed since
   * `changesSince`; null: nothing), each state of a calendar no longer watched is forgotten.
   * The keys of the calendars made due.
   */
  async reconcile(connection: WatchingConnection, changesSince: Date | null, now = new Date()): Promise<string[]> {
    const calendarId = connection._id.toString();
    const watched = watchedCalendarsOf(connection).map((calendar) => calendar.googleCalendarId);
    const states = await this.states.findByConnection(calendarId);
    for (const state of states) {
      if (!watched.includes(state.googleCalendarId)) await this.drop(state);
    }
    const due: string[] = [];
    for (const googleCalendarId of watched) {
      // A calendar watched already keeps its state (a re-consent goes on from its token); one that ended stays so.
      const existing = states.find((state) => state.googleCalendarId === googleCalendarId);
      if (existing && (existing.stateVersion === accountVersionOf(connection) || existing.endedReason)) {
        if (!existing.endedReason) due.push(existing._id);
        continue;
      }
      await this.states.markDue({ calendarId, googleCalendarId }, now, changesSince);
      due.push(watchKey(calendarId, googleCalendarId));
    }
    return due;
  }

  private async syncUnderClaim(claim: Claim, watched: WatchedCalendarRef, options: SyncOptions): Promise<SyncOutcome> {
    const observedAt = options.observedAt ?? new Date();
    const { calendarId, googleCalendarId } = watched;
    const key = watchKey(calendarId, googleCalendarId);
    const connection = await this.connections.findById(calendarId);
    if (!connection || connection.status !== ConnectionStatus.Connected) {
      claim.assertHeld();
      await this.drop({ _id: key, calendarId, googleCalendarId });
      return { ran: true, kind: 'not_connected', changes: 0 };
    }
    if (!watchedCalendarsOf(connection).some((calendar) => calendar.googleCalendarId === googleCalendarId)) {
      claim.assertHeld();
      await this.drop({ _id: key, calendarId, googleCalendarId });
      return { ran: true, kind: 'not_watched', changes: 0 };
    }
    const state = await this.states.findById(key);
    if (state?.endedReason) {
      // Ended before; its watch_ended is enqueued unless that was done (a crash came between).
      if (state.nextSyncAt !== null && state.endedDeliveryId) {
        await this.finishEnding(claim, connection, {
          key,
          googleCalendarId,
          reason: state.endedReason,
          deliveryId: state.endedDeliveryId,
        });
      }
      return { ran: true, kind: 'ended', changes: 0 };
    }
    if (options.dueBy && state) {
      if (!dueBy(state, options.dueBy)) return { ran: true, kind: 'not_due', changes: 0 };
      this.metrics.lateness.observe(Math.max(0, Date.now() - state.nextSyncAt.getTime()) / 1000);
      // Out of the other replicas' due lists while it runs, so they take other calendars.
      await this.states.hideWhileSyncing(key, state.nextSyncAt, new Date(Date.now() + 2 * this.leases.durationMs));
    }
    const from: SyncStart = { syncToken: state?.syncToken ?? null, syncRequestedAt: state?.syncRequestedAt ?? null };
    // A token of another Google account (the connection switched) is no start; a re-consent of the same one goes on from it.
    const accountVersion = accountVersionOf(connection);
    const baseline = !state?.syncToken || state.stateVersion !== accountVersion;
    let kind: SyncKind = baseline ? 'baseline' : 'incremental';
    try {
      let result: { syncToken: string; changes: number };
      if (baseline) {
        // What changed since the connection was made is delivered; what existed before is not.
        const since = state?.baselineChangesSince ?? null;
        result = await this.walk(claim, connection, googleCalendarId, observedAt, {
          syncedFrom: `baseline:${accountVersion}`,
          delivered: (event) => since !== null && changedSince(event, since),
        });
      } else {
        const syncToken = state.syncToken as string;
        try {
          result = await this.walk(claim, connection, googleCalendarId, observedAt, {
            syncToken,
            syncedFrom: `token:${syncToken}`,
          });
        } catch (error) {
          if (!isSyncTokenGone(error)) throw error;
          kind = 'full_resync';
          this.metrics.fullResyncs.inc();
          this.logger.warn(`Google no longer takes the sync token of ${key} (410); listing it afresh`);
          const resyncAt = new Date();
          result = await this.walk(claim, connection, googleCalendarId, observedAt, {
            syncedFrom: `resync:${syncToken}`,
            delivered: (event) => inResyncWindow(event, resyncAt),
          });
        }
      }
      const now = new Date();
      const nextSyncAt = await this.nextSyncAt(connection, googleCalendarId, now, baseline);
      claim.assertHeld();
      const saved = await this.states.saveSynced(
        {
          _id: key,
          calendarId,
          googleCalendarId,
          stateVersion: accountVersion,
          syncToken: result.syncToken,
          lastSyncedAt: now,
          nextSyncAt,
        },
        from,
      );
      if (saved === 'superseded') {
        this.metrics.syncs.inc({ kind, outcome: 'superseded' });
        this.logger.warn(`Sync of ${key} found a newer sync token saved meanwhile; it saved nothing`);
        return { ran: true, kind: 'superseded', changes: 0 };
      }
      this.metrics.syncs.inc({ kind, outcome: 'ok' });
      this.metrics.changes.inc(result.changes);
      return { ran: true, kind, changes: result.changes };
    } catch (error) {
      if (isNotUsable(error)) {
        // Access was lost meanwhile: the status change drops the sync.
        return { ran: true, kind: 'not_connected', changes: 0 };
      }
      if (error instanceof ClaimLostError) {
        this.metrics.syncs.inc({ kind, outcome: 'claim_lost' });
        throw error;
      }
      const ended = calendarAccessLost(error);
      if (ended) {
        this.metrics.syncs.inc({ kind, outcome: 'ended' });
        await this.end(claim, connection, key, from, ended);
        return { ran: true, kind: 'ended', changes: 0 };
      }
      this.metrics.syncs.inc({ kind, outcome: 'failed' });
      if (claim.held) {
        const maxMs = Math.max(MIN_MAX_FAILURE_DELAY_MS, this.config.CALENDAR_SYNC_INTERVAL_SECONDS * 1000);
        const delay = retryDelayMs((state?.failures ?? 0) + 1, { maxMs });
        await this.states.recordFailure(
          { _id: key, calendarId, googleCalendarId, stateVersion: accountVersion },
          from,
          (error as Error).message,
          new Date(Date.now() + delay),
        );
      }
      throw error;
    }
  }

  /**
   * Google no longer lets the account read the calendar: it ends (once, over the state the
   * sync started from), then its channel is stopped and `calendar.watch_ended` enqueued.
   */
  private async end(
    claim: Claim,
    connection: ConnectionRecord,
    key: string,
    from: SyncStart,
    reason: WatchEndedReason,
  ): Promise<void> {
    claim.assertHeld();
    this.logger.warn(`Google no longer lets ${key} be read (${reason}); its watch ends`);
    const deliveryId = newDeliveryId();
    if (!(await this.states.endWatch(key, from, reason, deliveryId))) return;
    await this.finishEnding(claim, connection, {
      key,
      googleCalendarId: parseWatchKey(key).googleCalendarId,
      reason,
      deliveryId,
    });
  }

  /** An ended calendar's channel stopped and its `calendar.watch_ended` enqueued (again after a crash: once, by its id). */
  private async finishEnding(
    claim: Claim,
    connection: ConnectionRecord,
    ended: { key: string; googleCalendarId: string; reason: WatchEndedReason; deliveryId: string },
  ): Promise<void> {
    const calendarId = connection._id.toString();
    await this.channels
      .stopWatching(calendarId, ended.googleCalendarId)
      .catch((error: Error) => this.logger.warn(`Channel of ${ended.key} not stopped: ${error.message}`));
    claim.assertHeld();
    await this.deliveries.enqueueWatchEnded({
      calendarId,
      subaccountId: connection.subaccountId,
      googleCalendarId: ended.googleCalendarId,
      reason: ended.reason,
      deliveryId: ended.deliveryId,
    });
    await this.states.watchEndedEnqueued(ended.key);
  }

  /** Forgets one calendar's sync state and what it remembered of its events (no longer connected or watched). */
  private async drop(state: Pick<CalendarSyncState, '_id' | 'calendarId' | 'googleCalendarId'>): Promise<void> {
    await this.states.delete(state._id);
    await this.eventMemory.forgetCalendar(state.calendarId, state.googleCalendarId);
  }

  /**
   * When the calendar is synced next: with a live push channel only as a backstop (each
   * calendar at its own spread, never after the channel lapses), else every sync interval
   * (a new baseline at a random point of it, so connections made together spread out).
   */
  private async nextSyncAt(
    connection: ConnectionRecord,
    googleCalendarId: string,
    now: Date,
    baseline: boolean,
  ): Promise<Date> {
    const intervalMs = this.config.CALENDAR_SYNC_INTERVAL_SECONDS * 1000;
    const liveUntil = await this.channels.liveUntil(connection, googleCalendarId);
    if (liveUntil && liveUntil.getTime() > now.getTime() + intervalMs) {
      const spread = 1 - BACKSTOP_SPREAD + 2 * BACKSTOP_SPREAD * Math.random();
      const backstop = now.getTime() + this.config.CALENDAR_BACKSTOP_INTERVAL_SECONDS * 1000 * spread;
      return new Date(Math.min(backstop, liveUntil.getTime()));
    }
    return new Date(now.getTime() + (baseline ? Math.random() : 1) * intervalMs);
  }

  /**
   * Walks a listing (the changes since a sync token; without one the whole calendar, for a
   * fresh token), each page's events that `delivered` picks enqueued before the next page is
   * read, tagged with `syncedFrom` (a repeat of a sync that was lost skips what it enqueued).
   */
  private async walk(
    claim: Claim,
    connection: ConnectionRecord,
    googleCalendarId: string,
    observedAt: Date,
    listing: { syncToken?: string; syncedFrom: string; delivered?: (event: GoogleEvent) => boolean },
  ): Promise<{ syncToken: string; changes: number }> {
    const calendarId = connection._id.toString();
    const deliveries = new SyncDeliveries(
      this.deliveries,
      { calendarId, subaccountId: connection.subaccountId },
      // The delivery names the calendar once, in `data.googleCalendarId`.
      googleCalendarId,
      listing.syncedFrom,
    );
    let pageToken: string | undefined;
    let changes = 0;
    for (;;) {
      claim.assertHeld();
      const page = await this.google.listChanges(connection, googleCalendarId, {
        ...(listing.syncToken ? { syncToken: listing.syncToken } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      const events = listing.delivered ? page.items.filter(listing.delivered) : page.items;
      if (events.length > 0) {
        claim.assertHeld();
        // Google lists a deleted event bare: it is delivered with what it last had.
        const changed = await this.eventMemory.complete(calendarId, googleCalendarId, events.map(toEventFields));
        changes += await deliveries.enqueue(changed, observedAt);
      }
      // Every event listed is remembered (a baseline's too, though it delivers none), the cancelled ones forgotten.
      claim.assertHeld();
      await this.eventMemory.remember(calendarId, googleCalendarId, page.items.map(toEventFields));
      if (page.nextPageToken) {
        pageToken = page.nextPageToken;
        continue;
      }
      if (!page.nextSyncToken) throw new Error(`Google ended the listing of ${calendarId} without a sync token`);
      return { syncToken: page.nextSyncToken, changes };
    }
  }
}

/** Whether the calendar is due by `at` (synced meanwhile by another sync, it is due later). */
function dueBy<T extends Pick<CalendarSyncState, 'nextSyncAt'>>(state: T, at: Date): state is T & { nextSyncAt: Date } {
  return state.nextSyncAt !== null && state.nextSyncAt <= at;
}

function isSyncTokenGone(error: unknown): boolean {
  return error instanceof GoogleApiException && error.failure.kind === 'not_found' && error.failure.status === 410;
}

/** The connection could not be used: REAUTH_REQUIRED / NOT_CONNECTED from the token service. */
function isNotUsable(error: unknown): boolean {
  return (
    error instanceof DomainException &&
    (error.code === ErrorCode.ReauthRequired || error.code === ErrorCode.NotConnected)
  );
}
