import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller, retryDelayMs } from '@connector-service/app-core';
import { ConnectionStatus } from '@connector-service/contracts';
import { Types } from 'mongoose';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { ConnectionTransitions } from '../connections/connection-transitions';
import { accountConnectedAtOf } from '../connections/google-account';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { LeaseService } from '../leases/lease.service';
import { PushChannelsService } from '../push-channels/push-channels.service';
import { CalendarSyncScheduler } from '../calendar-sync/calendar-sync.scheduler';
import { CalendarSyncService } from '../calendar-sync/calendar-sync.service';

/** Connections whose status changes this replica works off at once. */
const MAX_CONCURRENT_RELAYS = 4;
/** What one connection's owed consequences may take (a baseline, a channel opened). */
const RELAY_DEADLINE_MS = 2 * 60_000;
/** Retries of owed consequences back off up to this (Google down for long). */
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Works off what a connection's status transitions owe, recorded with each transition in
 * the connection's document (StatusChange, one done flag per consequence): the
 * `connection.status_changed` delivery (its `webhook-id` fixed at the transition, so a
 * replay sends no second one), and for the state the connection is in now: connected → a
 * sync asked for (a baseline for a newly connected account; a re-consent of the same
 * account goes on from its sync token) and a push channel (kept across such a re-consent;
 * one of another account replaced); otherwise → its sync and channels dropped.
 * Started at once in this process (ConnectionTransitions), and by a poll for what other
 * replicas or a crash left; a lease per connection keeps it single.
 */
@Injectable()
export class ConnectionStatusRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionStatusRelay.name);
  private readonly work = new BackgroundWork();
  private readonly due: DuePoller<ConnectionRecord>;

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly transitions: ConnectionTransitions,
    private readonly deliveries: DeliveriesService,
    private readonly sync: CalendarSyncService,
    private readonly scheduler: CalendarSyncScheduler,
    private readonly channels: PushChannelsService,
    private readonly leases: LeaseService,
    config: WebhookApiConfig,
  ) {
    this.due = new DuePoller(this.work, {
      name: 'status-changes',
      intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      slots: new ConcurrencyLimit(MAX_CONCURRENT_RELAYS),
      itemDeadlineMs: RELAY_DEADLINE_MS,
      findDue: (now, limit) => this.connections.findStatusChangesDue(now, limit),
      keyOf: (connection) => connection._id.toString(),
      work: (connection) => this.relayUnderLease(connection._id.toString()),
      warn: (message) => this.logger.warn(message),
      // Its work starts at once (soon); the poll finds retries and what a replica that died left.
      quietWhenIdle: true,
    });
  }

  onApplicationBootstrap(): void {
    this.transitions.subscribe((calendarId) => this.relaySoon(calendarId));
    this.due.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /** Works off what the connection owes now, in the poll's slots (a burst of transitions waits its turn). */
  relaySoon(calendarId: string): void {
    this.due.soon(calendarId, () => this.relayUnderLease(calendarId));
  }

  private async relayUnderLease(calendarId: string): Promise<void> {
    try {
      await this.leases.runExclusive(`status-relay:${calendarId}`, async () => {
        // Read under the lease; a transition written meanwhile is worked off in the next round.
        for (let round = 0; round < 3; round += 1) {
          const [connection] = await this.connections.findStatusChangesDue(
            new Date(),
            1,
            new Types.ObjectId(calendarId),
          );
          if (!connection) return;
          if (!(await this.relay(connection))) return;
        }
      });
    } catch (error) {
      this.logger.warn(`Status changes of ${calendarId} could not be relayed: ${(error as Error).message}`);
    }
  }

  /**
   * Works off the connection's owed changes, recording each consequence as it is done, so a
   * retry takes up only what failed; true when a newer transition needs another round.
   */
  private async relay(connection: ConnectionRecord): Promise<boolean> {
    const calendarId = connection._id.toString();
    const changes = connection.statusChanges;
    try {
      // First, and in order: the platform hears of every change whatever Google does.
      for (const [index, change] of changes.entries()) {
        if (change.webhookEnqueued || change.status === change.previousStatus) continue;
        await this.deliveries.enqueueStatusChanged({
          calendarId,
          subaccountId: connection.subaccountId,
          status: change.status,
          previousStatus: change.previousStatus,
          deliveryId: change.deliveryId,
        });
        await this.connections.recordStatusChangeDone(connection._id, index, change, 'webhookEnqueued');
      }
      // The calendar's sync and channels follow the state the connection is in now: the latest change's.
      const latest = changes.length - 1;
      const current = changes[latest];
      if (current && !current.syncSettled) {
        await this.settleSync(connection);
        await this.connections.recordStatusChangeDone(connection._id, latest, current, 'syncSettled');
      }
      if (current && !current.channelsSettled) {
        await this.settleChannels(connection);
        await this.connections.recordStatusChangeDone(connection._id, latest, current, 'channelsSettled');
      }
    } catch (error) {
      const attempts = connection.statusChangeAttempts + 1;
      const delay = retryDelayMs(attempts, { maxMs: MAX_RETRY_DELAY_MS });
      this.logger.warn(
        `Status change of ${calendarId} (${connection.status}) not worked off (attempt ${attempts}), again in ${delay} ms: ${(error as Error).message}`,
      );
      await this.connections.deferStatusChanges(connection, new Date(Date.now() + delay));
      return false;
    }
    const completed = await this.connections.completeStatusChanges(connection);
    return !completed;
  }

  /** connected: each watched calendar recorded due and its sync (a baseline if owed) tried; otherwise: their sync states forgotten. */
  private async settleSync(connection: ConnectionRecord): Promise<void> {
    const calendarId = connection._id.toString();
    if (connection.status !== ConnectionStatus.Connected) {
      await this.sync.forget(calendarId);
      return;
    }
    if (!this.scheduler.enabled) return;
    // Recorded as due (any replica takes it, also after a crash), and taken here at once
    // unless another replica has it: the baseline is the cut after which changes are
    // delivered, so it is taken as close to the transition as can be. A failure is the
    // sync's own (it backs off); it does not hold back the other consequences. After a
    // re-consent of the same account the sync goes on from its token, and a baseline still
    // owed delivers what changed since that account was connected.
    const due = await this.scheduler.markDue(connection, accountConnectedAtOf(connection));
    for (const key of due) {
      await this.sync.sync(key).catch((error: Error) => this.logger.warn(`Sync of ${key} failed: ${error.message}`));
    }
  }

  /** connected: a push channel open on each watched calendar (throws when Google cannot open one); otherwise: the channels dropped. */
  private async settleChannels(connection: ConnectionRecord): Promise<void> {
    if (connection.status !== ConnectionStatus.Connected) {
      await this.channels.dropAll(connection._id.toString());
      return;
    }
    if (this.scheduler.enabled) await this.channels.ensureOpen(connection);
  }
}
