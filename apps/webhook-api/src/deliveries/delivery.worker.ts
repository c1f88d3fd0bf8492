import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, retryDelayMs } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { Claim } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { DeliveriesMetrics } from './deliveries.metrics';
import { Delivery } from './delivery.schema';
import { DeliveryRepository } from './delivery.repository';
import { PlatformWebhookClient } from './platform-webhook.client';

/** The contract caps the backoff between two attempts at an hour. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** Streams started per poll, and worked on at once by this process. */
const MAX_STREAMS_PER_TICK = 100;
const MAX_ACTIVE_STREAMS = 16;
/** Deliveries sent in a row from one stream before it yields to the next poll. */
const MAX_PER_DRAIN = 100;
/** How often ended deliveries past their retention are deleted. */
const ARCHIVE_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

type AttemptOutcome = 'idle' | 'waiting' | 'delivered' | 'retry' | 'failed';

/**
 * Sends pending deliveries to the platform, one stream (a calendar's event changes, a
 * connection's status changes) at a time and in position order: only a stream's head is
 * sent, so a later delivery waits for an earlier one while other streams go on. A new
 * delivery is tried at once (`deliverSoon`, while fewer than MAX_ACTIVE_STREAMS are being
 * drained here; else the poll takes it), retries by a poll. Attempts run under the stream's
 * claim, renewed while the drain runs, so two replicas never send a stream's deliveries at
 * once: no attempt starts once the claim is lost (a killed holder's lapses after CLAIM_TTL_MS).
 * Any answer but 2xx, or none, is retried with exponential backoff and jitter (at most an
 * hour apart) until DELIVERY_RETRY_WINDOW_SECONDS have passed since the first attempt; the
 * attempt that fails after that marks it `failed`, and the stream's next delivery goes on.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly work = new BackgroundWork();
  /** Streams being drained by this process; true when asked again meanwhile. */
  private readonly active = new Map<string, boolean>();

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly leases: LeaseService,
    private readonly client: PlatformWebhookClient,
    private readonly config: WebhookApiConfig,
    private readonly metrics: DeliveriesMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.client.enabled) return;
    this.work.every(this.config.DELIVERY_POLL_INTERVAL_MS, () => this.poll());
    this.work.every(ARCHIVE_PRUNE_INTERVAL_MS, () => this.pruneArchive());
  }

  /**
   * Deletes the deliveries that were delivered or failed more than DELIVERY_ARCHIVE_RETENTION_DAYS
   * before `now` (each stream's latest stays, see DeliveryRepository); answers how many.
   */
  async pruneArchive(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.DELIVERY_ARCHIVE_RETENTION_DAYS * 86_400_000);
    try {
      const pruned = await this.deliveries.pruneArchive(before);
      if (pruned > 0) this.logger.log(`Deleted ${pruned} deliveries that ended before ${before.toISOString()}`);
      return pruned;
    } catch (error) {
      this.logger.warn(`Archived deliveries could not be pruned: ${(error as Error).message}`);
      return 0;
    }
  }

  /** Stops taking new work and waits for the attempts in hand. */
  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /** Works on a stream now, without making the caller wait. */
  deliverSoon(stream: string): void {
    if (this.work.stopped || !this.client.enabled) return;
    if (this.active.has(stream)) {
      this.active.set(stream, true);
      return;
    }
    // A storm of new streams does not start a drain each: the poll takes the rest in turn.
    if (this.active.size >= MAX_ACTIVE_STREAMS) return;
    this.work.track(this.drain(stream));
  }

  /** Starts every stream with a due delivery (bounded); returns how many were started. */
  poll(): Promise<number> {
    return this.work.exclusive('poll', 0, async () => {
      let started = 0;
      try {
        // Streams drained here already are skipped by the read, so their backlog hides no other.
        const streams = await this.deliveries.dueStreams(new Date(), MAX_STREAMS_PER_TICK, [...this.active.keys()]);
        for (const stream of streams) {
          if (this.work.stopped || this.active.size >= MAX_ACTIVE_STREAMS) break;
          if (this.active.has(stream)) continue;
          this.work.track(this.drain(stream));
          started += 1;
        }
      } catch (error) {
        this.logger.warn(`Delivery poll could not run: ${(error as Error).message}`);
      }
      return started;
    });
  }

  private async drain(stream: string): Promise<void> {
    this.active.set(stream, false);
    try {
      let sent = 0;
      while (sent < MAX_PER_DRAIN && !this.work.stopped) {
        this.active.set(stream, false);
        const outcome = await this.leases.runExclusive(`delivery:${stream}`, (claim) =>
          this.attemptHeads(stream, MAX_PER_DRAIN - sent, claim),
        );
        // Another replica has the stream: it goes on from there.
        if (!outcome.ran) return;
        sent += outcome.value.sent;
        // Idle or waiting: unless a delivery was enqueued meanwhile, the poll takes it from here.
        if (!this.active.get(stream)) return;
      }
    } catch (error) {
      this.logger.warn(`Deliveries of ${stream} could not run: ${(error as Error).message}`);
    } finally {
      this.active.delete(stream);
    }
  }

  /**
   * Under the stream's claim: sends its heads one after another (up to `max`) while the claim
   * holds, so a burst costs one claim, not one per delivery.
   */
  private async attemptHeads(stream: string, max: number, claim: Claim): Promise<{ sent: number }> {
    let sent = 0;
    while (sent < max && !this.work.stopped) {
      // A holder that lost the stream's claim sends nothing more: another replica may have it.
      claim.assertHeld();
      const last = await this.attemptHead(stream);
      if (last !== 'delivered' && last !== 'failed') break;
      sent += 1;
    }
    return { sent };
  }

  /** Under the stream's claim: sends its head if due. Read here, so a replica's work is seen. */
  private async attemptHead(stream: string): Promise<AttemptOutcome> {
    const head = await this.deliveries.head(stream);
    if (!head) return 'idle';
    const now = new Date();
    // Never tried: it only waited for its predecessors, which are done.
    if (head.attempts > 0 && head.nextAttemptAt && head.nextAttemptAt > now) {
      await this.deliveries.deferFollowers(stream, head.position, head.nextAttemptAt);
      return 'waiting';
    }
    return this.attempt(head);
  }

  private async attempt(delivery: Delivery): Promise<AttemptOutcome> {
    const attemptAt = new Date();
    const result = await this.client.send(delivery._id, delivery.body, attemptAt);
    const now = new Date();
    if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
      await this.deliveries.markDelivered(delivery, attemptAt, now, result.statusCode);
      this.metrics.attempts.inc({ outcome: 'delivered' });
      this.metrics.latency.observe((now.getTime() - (delivery.observedAt ?? delivery.createdAt).getTime()) / 1000);
      // Its followers were deferred to its retries; they need not wait for those any more.
      if (delivery.attempts > 0) await this.deliveries.releaseFollowers(delivery.stream, now);
      return 'delivered';
    }
    const error = result.statusCode !== null ? `HTTP ${result.statusCode}` : result.error;
    this.metrics.attempts.inc({ outcome: result.statusCode !== null ? 'rejected' : 'no_answer' });
    const attempts = delivery.attempts + 1;
    const firstAttemptAt = delivery.firstAttemptAt ?? attemptAt;
    if (now.getTime() - firstAttemptAt.getTime() >= this.config.DELIVERY_RETRY_WINDOW_SECONDS * 1000) {
      await this.deliveries.markFailed(delivery, attemptAt, now, error, result.statusCode);
      this.metrics.failures.inc({ type: delivery.type });
      this.logger.error(
        `Delivery ${delivery._id} (${delivery.type}, ${delivery.stream} #${delivery.position}) failed after ${attempts} attempts: ${error}`,
      );
      return 'failed';
    }
    const delay = retryDelayMs(attempts, { baseMs: this.config.DELIVERY_RETRY_BASE_MS, maxMs: MAX_RETRY_DELAY_MS });
    const nextAttemptAt = new Date(now.getTime() + delay);
    await this.deliveries.scheduleRetry(delivery, attemptAt, nextAttemptAt, error, result.statusCode);
    await this.deliveries.deferFollowers(delivery.stream, delivery.position, nextAttemptAt);
    this.logger.warn(`Delivery ${delivery._id} failed (attempt ${attempts}), retrying in ${delay} ms: ${error}`);
    return 'retry';
  }
}
