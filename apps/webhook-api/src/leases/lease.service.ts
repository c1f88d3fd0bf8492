import { Injectable, Logger } from '@nestjs/common';
import { BackgroundWork, remainingMs } from '@connector-service/app-core';
import { randomUUID } from 'node:crypto';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { Claim } from './claim';
import { LeaseRepository } from './lease.repository';

const WAIT_STEP_MS = 25;
/** Room for clocks that disagree between replicas: a claim counts as lost this long before it lapses. */
const MAX_CLOCK_MARGIN_MS = 2000;

export type ExclusiveOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs work that must not run twice at once across replicas (a sync, a booking, a delivery
 * stream, a token refresh): take the lease with a token of this acquisition, renew it every
 * third of CLAIM_TTL_MS while the work runs, release it with that token. The work gets its
 * Claim and checks it before each write; a claim whose renewal failed (the database out
 * of reach, the process stalled past the lease) is lost, and a holder that died frees the
 * lease after CLAIM_TTL_MS.
 */
@Injectable()
export class LeaseService {
  private readonly logger = new Logger(LeaseService.name);
  /** How long a lease lasts unless renewed (CLAIM_TTL_MS). */
  readonly durationMs: number;
  private readonly marginMs: number;

  constructor(
    private readonly leases: LeaseRepository,
    config: WebhookApiConfig,
  ) {
    this.durationMs = config.CLAIM_TTL_MS;
    this.marginMs = Math.min(MAX_CLOCK_MARGIN_MS, Math.floor(this.durationMs / 5));
  }

  /**
   * Runs `work` under the lease `key`, waiting while another holder has it: up to one lease
   * duration (by when a holder that died has lost it), and never past the deadline of the
   * request being served.
   */
  async runExclusiveWaiting<T>(key: string, work: (claim: Claim) => Promise<T>): Promise<ExclusiveOutcome<T>> {
    const deadline = Date.now() + Math.min(this.durationMs, remainingMs() ?? Infinity);
    for (;;) {
      const outcome = await this.runExclusive(key, work);
      if (outcome.ran || Date.now() + WAIT_STEP_MS > deadline) return outcome;
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** Runs `work` under the lease `key`; `{ ran: false }` when another holder has it. */
  async runExclusive<T>(key: string, work: (claim: Claim) => Promise<T>): Promise<ExclusiveOutcome<T>> {
    const token = randomUUID();
    const takenAt = Date.now();
    if (!(await this.leases.tryAcquire(key, token, this.durationMs))) return { ran: false };
    const claim = new Claim(key, token, takenAt + this.durationMs, this.marginMs);
    const renewals = this.keepRenewed(claim);
    try {
      return { ran: true, value: await work(claim) };
    } finally {
      await renewals.stop();
      await this.leases.release(key, token).catch((error: Error) => {
        // It lapses on its own after CLAIM_TTL_MS.
        this.logger.warn(`Lease ${key} could not be released: ${error.message}`);
      });
    }
  }

  /**
   * Renews the claim every third of its duration (BackgroundWork: one renewal at a time) until
   * stopped; marks it lost when a renewal finds another holder, or when it lapsed unrenewed.
   * Stopping waits for a renewal in flight, so none lands after the release.
   */
  private keepRenewed(claim: Claim): BackgroundWork {
    const renewals = new BackgroundWork();
    renewals.every(Math.floor(this.durationMs / 3), () =>
      renewals.exclusive('renew', undefined, () => this.renewOnce(claim)),
    );
    return renewals;
  }

  private async renewOnce(claim: Claim): Promise<void> {
    if (!claim.held) {
      claim.markLost();
      return;
    }
    const startedAt = Date.now();
    try {
      if (await this.leases.renew(claim.key, claim.token, this.durationMs)) {
        claim.extend(startedAt, this.durationMs);
        return;
      }
      this.logger.warn(`Lease ${claim.key} was taken over; its work stops`);
      claim.markLost();
    } catch (error) {
      // A failed renewal leaves the claim as it was: it is lost when it lapses.
      this.logger.warn(`Lease ${claim.key} could not be renewed: ${(error as Error).message}`);
    }
  }
}
