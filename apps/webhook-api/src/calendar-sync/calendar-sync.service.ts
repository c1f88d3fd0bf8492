import { Injectable, Logger } from '@nestjs/common';
import { DomainException, retryDelayMs } from '@connector-service/app-core';
import { ConnectionStatus, ErrorCode } from '@connector-service/contracts';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { toEventFields } from '../calendar/calendar-event.mapper';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi, GoogleEvent } from '../google/google-calendar.api';
import { LeaseService } from '../leases/lease.service';
import { CalendarSyncMetrics } from './calendar-sync.metrics';
import { CalendarSyncStateRepository } from './calendar-sync-state.repository';
import { inResyncWindow } from './changed-events';

/** The calendar synced: the account's primary calendar (the one the push channel watches). */
const SYNCED_CALENDAR = 'primary';

export type SyncKind = 'baseline' | 'incremental' | 'full_resync';

export type SyncOutcome =
  | { ran: true; kind: SyncKind; changes: number }
  /** Not connected (any more): nothing to sync, its state is dropped. */
  | { ran: true; kind: 'not_connected'; changes: 0 }
  /** Another replica is syncing this connection right now. */
  | { ran: false };

/**
 * One connection's calendar sync, one at a time across replicas (a lease per connection).
 * The first sync of a connected state takes the baseline (the events then are not
 * delivered); every later one lists the changes since the stored `syncToken`, page by page,
 * each page handed to the delivery outbox before the next is read, and stores the new token
 * only after the last. A token Google refuses (410) gives a full listing, every event in the
 * resync window delivered as changed, and a fresh token.
 */
@Injectable()
export class CalendarSyncService {
  private readonly logger = new Logger(CalendarSyncService.name);

  constructor(
    private readonly states: CalendarSyncStateRepository,
    private readonly connections: ConnectionRepository,
    private readonly google: GoogleCalendarApi,
    private readonly deliveries: DeliveriesService,
    private readonly leases: LeaseService,
    private readonly config: WebhookApiConfig,
    private readonly metrics: CalendarSyncMetrics,
  ) {}

  /**
   * Syncs the connection now. `observedAt`: when the change was noticed (a push), where the
   * deliveries' latency starts. `wait`: wait for another replica's sync instead of leaving it.
   * Throws when Google fails (the state records it and the periodic sync backs off).
   */
  async sync(calendarId: string, options: { observedAt?: Date; wait?: boolean } = {}): Promise<SyncOutcome> {
    const work = () => this.syncUnderLease(calendarId, options.observedAt ?? new Date());
    const key = `calendar-sync:${calendarId}`;
    const outcome = options.wait
      ? await this.leases.runExclusiveWaiting(key, work)
      : await this.leases.runExclusive(key, work);
    return outcome.ran ? outcome.value : { ran: false };
  }

  /** Forgets a connection's sync (it is no longer connected). */
  async forget(calendarId: string): Promise<void> {
    await this.states.delete(calendarId);
  }

  private async syncUnderLease(calendarId: string, observedAt: Date): Promise<SyncOutcome> {
    const connection = await this.connections.findById(calendarId);
    if (!connection || connection.status !== ConnectionStatus.Connected) {
      await this.states.delete(calendarId);
      return { ran: true, kind: 'not_connected', changes: 0 };
    }
    const state = await this.states.findById(calendarId);
    const baseline = !state || state.stateVersion !== connection.stateVersion;
    let kind: SyncKind = baseline ? 'baseline' : 'incremental';
    try {
      let result: { syncToken: string; changes: number };
      if (baseline) {
        result = await this.listAll(connection, null, observedAt);
      } else {
        try {
          result = await this.listChanges(connection, state.syncToken, observedAt);
        } catch (error) {
          if (!isSyncTokenGone(error)) throw error;
          kind = 'full_resync';
          this.metrics.fullResyncs.inc();
          this.logger.warn(`Google no longer takes the sync token of ${calendarId} (410); listing it afresh`);
          result = await this.listAll(connection, new Date(), observedAt);
        }
      }
      const now = new Date();
      const intervalMs = this.config.CALENDAR_SYNC_INTERVAL_SECONDS * 1000;
      await this.states.saveSynced({
        _id: calendarId,
        googleCalendarId: connection.googleEmail,
        stateVersion: connection.stateVersion,
        syncToken: result.syncToken,
        lastSyncedAt: now,
        // A new baseline lands at a random point of the interval, so connections made together spread out.
        nextSyncAt: new Date(now.getTime() + (baseline ? Math.random() : 1) * intervalMs),
      });
      this.metrics.syncs.inc({ kind, outcome: 'ok' });
      this.metrics.changes.inc(result.changes);
      return { ran: true, kind, changes: result.changes };
    } catch (error) {
      if (isNotUsable(error)) {
        // Access was lost meanwhile: the status change drops the sync.
        return { ran: true, kind: 'not_connected', changes: 0 };
      }
      this.metrics.syncs.inc({ kind, outcome: 'failed' });
      if (state && !baseline) {
        const delay = Math.min(retryDelayMs(state.failures + 1), this.config.CALENDAR_SYNC_INTERVAL_SECONDS * 1000);
        await this.states.recordFailure(calendarId, (error as Error).message, new Date(Date.now() + delay));
      }
      throw error;
    }
  }

  /** The changes since `syncToken`, each page enqueued before the next is read. */
  private async listChanges(
    connection: ConnectionRecord,
    syncToken: string,
    observedAt: Date,
  ): Promise<{ syncToken: string; changes: number }> {
    return this.walk(connection, { syncToken }, (events) => this.enqueue(connection, events, observedAt));
  }

  /**
   * The whole calendar: for a baseline (`resyncAt` null) only walked for the token; for a
   * resync every event in the window around `resyncAt` is enqueued as changed.
   */
  private async listAll(
    connection: ConnectionRecord,
    resyncAt: Date | null,
    observedAt: Date,
  ): Promise<{ syncToken: string; changes: number }> {
    return this.walk(connection, {}, (events) =>
      resyncAt
        ? this.enqueue(
            connection,
            events.filter((event) => inResyncWindow(event, resyncAt)),
            observedAt,
          )
        : Promise.resolve(0),
    );
  }

  private async walk(
    connection: ConnectionRecord,
    start: { syncToken?: string },
    onPage: (events: GoogleEvent[]) => Promise<number>,
  ): Promise<{ syncToken: string; changes: number }> {
    const calendarId = connection._id.toString();
    let pageToken: string | undefined;
    let changes = 0;
    for (;;) {
      const page = await this.google.listChanges(connection, SYNCED_CALENDAR, {
        ...start,
        ...(pageToken ? { pageToken } : {}),
      });
      changes += await onPage(page.items);
      if (page.nextPageToken) {
        pageToken = page.nextPageToken;
        continue;
      }
      if (!page.nextSyncToken) throw new Error(`Google ended the listing of ${calendarId} without a sync token`);
      return { syncToken: page.nextSyncToken, changes };
    }
  }

  private async enqueue(connection: ConnectionRecord, events: GoogleEvent[], observedAt: Date): Promise<number> {
    if (events.length === 0) return 0;
    await this.deliveries.enqueueEventChanges(
      { calendarId: connection._id.toString(), subaccountId: connection.subaccountId },
      connection.googleEmail,
      // The delivery names the calendar once, in `data.googleCalendarId`.
      events.map(toEventFields),
      observedAt,
    );
    return events.length;
  }
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
