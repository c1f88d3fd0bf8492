import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller, retryDelayMs, withRequestId } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleCalendarConnection } from '../connections/google-calendar-connection.schema';
import { DatabaseApiClient } from '../database-api-client/database-api.client';
import { LeaseService } from '../leases/lease.service';
import { connectorMetadataOf } from './connector-metadata';
import { MetadataOutboxMetrics } from './metadata-outbox.metrics';
import { MetadataOutboxRepository } from './metadata-outbox.repository';
import { MetadataVersionScopes } from './metadata-version-scopes';

/** Metadata updates this replica delivers at once. */
const MAX_CONCURRENT_DELIVERIES = 8;

/**
 * Delivers pending connector-metadata updates to database-api until they land. An update
 * is tried at once when it is written (`deliverSoon`), then by a poll with exponential
 * backoff; restarts lose nothing because the pending state lives in MongoDB, and a lease
 * keeps two replicas from delivering the same update at the same time (a lease left by a
 * killed process expires after twice the outbound timeout plus 5 s).
 */
@Injectable()
export class MetadataUpdateWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetadataUpdateWorker.name);
  private readonly work = new BackgroundWork();
  private readonly due: DuePoller<GoogleCalendarConnection>;

  constructor(
    private readonly outbox: MetadataOutboxRepository,
    private readonly leases: LeaseService,
    private readonly databaseApi: DatabaseApiClient,
    config: WebhookApiConfig,
    private readonly metrics: MetadataOutboxMetrics,
    private readonly versionScopes: MetadataVersionScopes,
  ) {
    this.due = new DuePoller(this.work, {
      name: 'metadata-updates',
      intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      slots: new ConcurrencyLimit(MAX_CONCURRENT_DELIVERIES),
      // One call to database-api (OUTBOUND_TIMEOUT_MS) and its writes.
      itemDeadlineMs: 2 * config.OUTBOUND_TIMEOUT_MS,
      findDue: (now, limit) => this.outbox.findDue(now, limit),
      keyOf: (item) => item._id.toString(),
      work: (item) => this.deliverUnderLease(item._id.toString()),
      warn: (message) => this.logger.warn(message),
      // Its work starts at once (soon); the poll finds retries and what a replica that died left.
      quietWhenIdle: true,
    });
  }

  onApplicationBootstrap(): void {
    this.due.start();
  }

  /** Stops taking new work and waits for the deliveries in hand. */
  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /** Tries one connection's pending update now, without making the caller wait for it. */
  deliverSoon(calendarId: string): void {
    this.due.soon(calendarId, () => this.deliverUnderLease(calendarId));
  }

  /** One delivery, by whichever replica takes the lease; false when another has it. */
  private async deliverUnderLease(calendarId: string): Promise<boolean> {
    try {
      const outcome = await this.leases.runExclusive(`metadata-update:${calendarId}`, async () => {
        // Read again under the lease: another replica may have delivered it meanwhile.
        const [item] = await this.outbox.findDue(new Date(), 1, calendarId);
        if (!item) return false;
        await withRequestId(item.metadataUpdate.requestId, () => this.deliver(item));
        return true;
      });
      return outcome.ran && outcome.value;
    } catch (error) {
      this.logger.warn(`Metadata update of ${calendarId} could not run: ${(error as Error).message}`);
      return false;
    }
  }

  private async deliver(item: GoogleCalendarConnection): Promise<void> {
    const version = item.stateVersion;
    try {
      const outcome = await this.databaseApi.updateGoogleCalendarMetadata(
        item.subaccountId,
        { metadata: connectorMetadataOf(item), version, versionScope: this.versionScopes.of(item) },
        item.metadataUpdate.requestId,
      );
      this.metrics.deliveryAttempts.inc({ outcome });
      if (outcome === 'connector_missing') {
        this.logger.warn(
          `Connector google-calendar of subaccount ${item.subaccountId} is gone; metadata update dropped`,
        );
        await this.outbox.abandon(item._id, version, 'connector_not_found');
        return;
      }
      await this.outbox.complete(item._id, version, new Date());
    } catch (error) {
      this.metrics.deliveryAttempts.inc({ outcome: 'failed' });
      const attempts = item.metadataUpdate.attempts + 1;
      const delay = retryDelayMs(attempts);
      this.logger.warn(
        `Metadata update for ${item._id.toString()} failed (attempt ${attempts}), retrying in ${delay} ms: ${(error as Error).message}`,
      );
      await this.outbox.retryLater(item._id, version, new Date(Date.now() + delay), (error as Error).message);
    }
  }
}
