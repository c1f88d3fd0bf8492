import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller, retryDelayMs } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { Claim } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { DeliveriesMetrics } from './deliveries.metrics';
import { Delivery } from './delivery.schema';
import { DeliveryRepository } from './delivery.repository';
import { PlatformWebhookClient } from './platform-webhook.client';

/** The contract caps the backoff between two attempts at an hour. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** Streams drained at once by this process (the poll's and those started at once together). */
const MAX_CONCURRENT_DRAINS = 16;
/** Deliveries one drain sends in a row; then its slot goes to the next in line (a poll takes the stream up again). */
const MAX_PER_DRAIN = 100;
/**
 * Deliveries a drain reads at once, in position order, to send one after another: the
 * stream's head and the next ones, so a backlog costs one read per this many.
 */
export const HEADS_PER_READ = 10;
/** How often ended deliveries past their retention are deleted. */
const ARCHIVE_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

type AttemptOutcome = 'waiting' | 'delivered' | 'retry' | 'failed';

/**
 * Sends pending deliveries to the platform, one stream (a calendar's event changes, a
 * connection's status changes) at a time and in position order: only a stream's head is
 * sent, so a later delivery waits for an earlier one while other streams go on. Streams are
 * drained in the slots of one DuePoller (MAX_CONCURRENT_DRAINS at once): a new delivery's
 * stream at once (`deliverSoon`; a stream asked for while it is drained here is drained once
 * more after), retries by its poll. A drain runs under the stream's claim, renewed while it
 * runs, so two replicas never send a stream's deliveries at once: no attempt starts once the
 * claim is lost (a killed holder's lapses after CLAIM_TTL_MS).
 * Any answer but 2xx, or none, is retried with exponential backoff and jitter (at most an
 * hour apart) until DELIVERY_RETRY_WINDOW_SECONDS have passed since the first attempt; the
 * attempt that fails after that marks it `failed`, and the stream's next delivery goes on.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly work = new BackgroundWork();
  private readonly due: DuePoller<string>;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly leases: LeaseService,
    private readonly client: PlatformWebhookClient,
    private readonly config: WebhookApiConfig,
    private readonly metrics: DeliveriesMetrics,
  ) {
    this.due = new DuePoller(this.work, {
      name: 'delivery-streams',
      intervalMs: config.DELIVERY_POLL_INTERVAL_MS,
      slots: new ConcurrencyLimit(MAX_CONCURRENT_DRAINS),
      // A full drain: MAX_PER_DRAIN attempts, each bounded by the client's timeout, and their
      // writes. It makes no Google call, so the deadline cuts nothing in it.
      itemDeadlineMs: MAX_PER_DRAIN * 2 * client.timeoutMs,
      // Streams drained here already are left out of the read, so their backlog hides no other.
      findDue: (now, limit, inHand) => this.deliveries.dueStreams(now, limit, inHand),
      keyOf: (stream) => stream,
      work: (stream) => this.drain(stream),
      // A drain that found its stream idle may have read it just before a delivery was added.
      againWhenAskedInHand: true,
      warn: (message) => this.logger.warn(message),
      // Its work starts at once (soon); the poll finds retries and what a replica that died left.
      quietWhenIdle: true,
    });
  }

  onApplicationBootstrap(): void {
    if (!this.client.enabled) return;
    this.due.start();
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

  /** Drains a stream now, in the poll's slots, without making the caller wait. */
  deliverSoon(stream: string): void {
    if (!this.client.enabled) return;
    this.due.soon(stream, () => this.drain(stream));
  }

  /** One drain: up to MAX_PER_DRAIN of the stream's heads under one claim; none when another replica has it. */
  private async drain(stream: string): Promise<void> {
    await this.leases.runExclusive(`delivery:${stream}`, (claim) => this.attemptHeads(stream, claim));
  }

  /**
   * Under the stream's claim: sends its heads one after another (up to MAX_PER_DRAIN) while
   * the claim holds, so a burst costs one claim, not one per delivery, and one read per
   * HEADS_PER_READ. Each is sent after the one before it ended, so they go in position order
   * (each write is conditional on the delivery as read). Idle or waiting: the poll takes it
   * from here.
   */
  private async attemptHeads(stream: string, claim: Claim): Promise<void> {
    let sent = 0;
    while (sent < MAX_PER_DRAIN && !this.work.stopped) {
      // Read here (under the claim), so what another replica did before is seen.
      const heads = await this.deliveries.heads(stream, Math.min(HEADS_PER_READ, MAX_PER_DRAIN - sent));
      if (heads.length === 0) return;
      for (const head of heads) {
        // A holder that lost the stream's claim sends nothing more: another replica may have it.
        claim.assertHeld();
        if (this.work.stopped) return;
        const last = await this.attemptHead(head);
        if (last !== 'delivered' && last !== 'failed') return;
        sent += 1;
      }
    }
  }

  /** Under the stream's claim: sends its head if due (else its followers wait for its retry). */
  private async attemptHead(head: Delivery): Promise<AttemptOutcome> {
    const now = new Date();
    // Never tried: it only waited for its predecessors, which are done.
    if (head.attempts > 0 && head.nextAttemptAt && head.nextAttemptAt > now) {
      await this.deliveries.deferFollowers(head.stream, head.position, head.nextAttemptAt);
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
