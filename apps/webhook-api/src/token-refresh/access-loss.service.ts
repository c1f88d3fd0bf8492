import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionStatus } from '@connector-service/contracts';
import { BackgroundWork, retryDelayMs, withoutDeadline } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { ConsentLinkService } from '../connect/consent-link.service';
import { Claim } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { MetadataUpdateWorker } from '../metadata-outbox/metadata-update.worker';

export const REAUTH_EMAIL_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Attempts of an e-mail SMTP does not accept are spread out up to this far apart. */
const MAX_EMAIL_RETRY_MS = 6 * 60 * 60 * 1000;
/** A reconnect e-mail may take this many OUTBOUND_TIMEOUT_MS to be accepted (each SMTP step has one). */
export const EMAIL_SEND_TIMEOUTS = 3;

/**
 * What happens when Google says a grant is gone (`invalid_grant`): the connection becomes
 * `reauth_required`, database-api hears it through the durable outbox, and the user is
 * owed a fresh consent link by e-mail, at most one a day per connection. The e-mail
 * counts as sent only once the SMTP server accepted it; until then it stays owed, and the
 * refresh sweep (REFRESH_SWEEP_INTERVAL_MS) tries it again at growing intervals (from one
 * sweep interval up to 6 hours). The first try starts at once but off the request that met
 * the loss: its answer (409 REAUTH_REQUIRED) never waits for SMTP.
 */
@Injectable()
export class AccessLossService implements OnApplicationShutdown {
  private readonly logger = new Logger(AccessLossService.name);
  private readonly work = new BackgroundWork();

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly metadataUpdates: MetadataUpdateWorker,
    private readonly consentLinks: ConsentLinkService,
    private readonly leases: LeaseService,
    private readonly config: WebhookApiConfig,
  ) {}

  async accessLost(connection: ConnectionRecord, reason: string): Promise<void> {
    const now = new Date();
    const lastEmail = connection.reauthEmailSentAt?.getTime();
    const emailDueAt = new Date(Math.max(now.getTime(), (lastEmail ?? 0) + REAUTH_EMAIL_INTERVAL_MS));
    const updated = await this.connections.markReauthRequired(connection._id, reason, now, emailDueAt);
    if (!updated) return;
    this.logger.warn(
      `Connection ${connection._id.toString()} lost Google access (${reason}); reauthorization required`,
    );
    this.metadataUpdates.deliverSoon(connection._id.toString());
    this.sendOwedEmailSoon(connection._id.toString());
  }

  /** Waits for the e-mails in hand (one a sweep would otherwise send later). */
  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /**
   * Tries the owed e-mail now without making the caller wait; it keeps the request id for
   * the logs but not the request's deadline, so it may outlast the answer.
   */
  private sendOwedEmailSoon(calendarId: string): void {
    if (this.work.stopped) return;
    this.work.track(
      withoutDeadline(() => this.sendOwedEmail(calendarId)).catch((error: Error) =>
        this.logger.warn(`Reconnect e-mail of ${calendarId} failed (the next sweep tries again): ${error.message}`),
      ),
    );
  }

  /**
   * Sends the reconnect e-mail if one is owed now. One replica at a time looks at a
   * connection's e-mail (the lease `reconnect-email:<id>`, an insert-based claim, so also on a
   * server without per-document isolation) and reads it under that claim. Each attempt then
   * takes the e-mail (startReauthEmailAttempt, conditional on the due time read: it is owed
   * again only after the send and a backoff), so a send in flight, slow or lost with its
   * process, is not repeated at the next sweep; it is recorded as sent, for that attempt, when
   * SMTP accepted it (those writes are fenced by the attempt's own due time: the send has
   * happened, whoever holds the lease). A send whose acceptance never reached us (the answer
   * lost after the server took it) may be repeated after the backoff.
   */
  async sendOwedEmail(calendarId: string): Promise<void> {
    await this.leases.runExclusive(`reconnect-email:${calendarId}`, (claim) =>
      this.attemptOwedEmail(calendarId, claim),
    );
  }

  private async attemptOwedEmail(calendarId: string, claim: Claim): Promise<void> {
    const connection = await this.connections.findById(calendarId);
    const dueAt = connection?.reauthEmailDueAt;
    if (!connection || connection.status !== ConnectionStatus.ReauthRequired || !dueAt) return;
    if (dueAt.getTime() > Date.now()) return;
    const attempt = connection.reauthEmailAttempts + 1;
    const sendWaitMs = EMAIL_SEND_TIMEOUTS * this.config.OUTBOUND_TIMEOUT_MS;
    // Not owed again before this attempt has ended and its backoff is over.
    const backoffMs = retryDelayMs(attempt, {
      baseMs: this.config.REFRESH_SWEEP_INTERVAL_MS,
      maxMs: MAX_EMAIL_RETRY_MS,
    });
    const retryAt = new Date(Date.now() + sendWaitMs + backoffMs);
    claim.assertHeld();
    if (!(await this.connections.startReauthEmailAttempt(connection._id, dueAt, retryAt))) return;
    claim.assertHeld();
    const { emailSent } = await this.consentLinks.send(
      connection.subaccountId,
      connection.userEmail,
      'reconnect',
      sendWaitMs,
    );
    if (emailSent) {
      await this.connections.recordReauthEmailSent(connection._id, retryAt, new Date());
      return;
    }
    // The attempt has ended (SMTP refused, or it was given up on): the backoff counts from now.
    const nextAttemptAt = new Date(Date.now() + backoffMs);
    await this.connections.recordReauthEmailFailure(connection._id, retryAt, nextAttemptAt);
    this.logger.warn(
      `Reconnect e-mail for ${calendarId} was not accepted (attempt ${attempt}); tried again from ${nextAttemptAt.toISOString()}`,
    );
  }
}
