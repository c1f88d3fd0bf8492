import { Injectable } from '@nestjs/common';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { LEASE_OWNER } from './lease-owner';
import { LeaseRepository } from './lease.repository';

const WAIT_STEP_MS = 25;

export type ExclusiveOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs work that must not run twice at once across replicas (one metadata delivery, one
 * token refresh, one reconnect e-mail): take the lease, run, release. The lease lasts
 * longer than the work can (two outbound calls plus slack), so a live holder never loses
 * it, and a holder that died frees it after that long.
 */
@Injectable()
export class LeaseService {
  /** How long a lease is held at most: twice OUTBOUND_TIMEOUT_MS plus 5 s (25 s by default). */
  readonly durationMs: number;

  constructor(
    private readonly leases: LeaseRepository,
    config: WebhookApiConfig,
  ) {
    this.durationMs = 2 * config.OUTBOUND_TIMEOUT_MS + 5000;
  }

  /**
   * Runs `work` under the lease `key`, waiting (up to the lease's duration, by when any
   * holder has finished or lost it) while another holder has it.
   */
  async runExclusiveWaiting<T>(key: string, work: () => Promise<T>): Promise<ExclusiveOutcome<T>> {
    const deadline = Date.now() + this.durationMs;
    for (;;) {
      const outcome = await this.runExclusive(key, work);
      if (outcome.ran || Date.now() > deadline) return outcome;
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** Runs `work` under the lease `key`; `{ ran: false }` when another holder has it. */
  async runExclusive<T>(key: string, work: () => Promise<T>): Promise<ExclusiveOutcome<T>> {
    if (!(await this.leases.tryAcquire(key, LEASE_OWNER, this.durationMs))) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await this.leases.release(key, LEASE_OWNER);
    }
  }
}
