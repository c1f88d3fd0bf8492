import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { DatabaseApiClient } from '../database-api-client/database-api.client';
import { WebhookMetrics } from '../metrics/webhook-metrics';
import { withRequestId } from '@connector-service/app-core';
import { connectorMetadataOf } from './connector-metadata';
import { retryDelayMs } from './retry-backoff';

const LEASE_MS = 30_000;
const MAX_PER_TICK = 50;

/**
 * Delivers pending connector-metadata updates to database-api until they land. An update
 * is tried at once when it is written (`deliverSoon`), then by a poll with exponential
 * backoff; restarts lose nothing because the pending state lives in MongoDB, and a lease
 * keeps two replicas from delivering the same update at the same time.
 */
@Injectable()
export class MetadataSyncWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetadataSyncWorker.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly databaseApi: DatabaseApiClient,
    private readonly config: WebhookApiConfig,
    private readonly metrics: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.track(this.poll()), this.config.OUTBOX_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops taking new work and waits for the deliveries in hand. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Tries one connection's pending update now, without making the caller wait for it. */
  deliverSoon(calendarId: string): void {
    if (this.stopped) return;
    this.track(this.claimAndDeliver(calendarId));
  }

  /** Delivers every due update; returns how many were attempted. */
  async poll(): Promise<number> {
    if (this.polling || this.stopped) return 0;
    this.polling = true;
    let attempted = 0;
    try {
      while (attempted < MAX_PER_TICK && !this.stopped && (await this.claimAndDeliver())) attempted += 1;
    } finally {
      this.polling = false;
    }
    return attempted;
  }

  private async claimAndDeliver(calendarId?: string): Promise<boolean> {
    try {
      const now = new Date();
      const item = await this.connections.claimDueSync(this.owner, now, new Date(now.getTime() + LEASE_MS), calendarId);
      if (!item) return false;
      await withRequestId(item.sync.requestId, () => this.deliver(item));
      return true;
    } catch (error) {
      this.logger.warn(`Metadata sync could not run: ${(error as Error).message}`);
      return false;
    }
  }

  private async deliver(item: ConnectionRecord): Promise<void> {
    const version = item.stateVersion;
    try {
      const outcome = await this.databaseApi.updateGoogleCalendarMetadata(
        item.subaccountId,
        connectorMetadataOf(item),
        version,
        item.sync.requestId,
      );
      this.metrics.deliveryAttempts.inc({ outcome });
      if (outcome === 'connector_missing') {
        this.logger.warn(`Connector google-calendar of subaccount ${item.subaccountId} is gone; metadata update dropped`);
        await this.connections.abandonSync(item._id, this.owner, version, 'connector_not_found');
        return;
      }
      await this.connections.completeSync(item._id, this.owner, version, new Date());
    } catch (error) {
      this.metrics.deliveryAttempts.inc({ outcome: 'failed' });
      const delay = retryDelayMs(item.sync.attempts);
      this.logger.warn(
        `Metadata update for ${item._id.toString()} failed (attempt ${item.sync.attempts}), retrying in ${delay} ms: ${(error as Error).message}`,
      );
      await this.connections.releaseSync(item._id, this.owner, new Date(Date.now() + delay), (error as Error).message);
    }
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}
