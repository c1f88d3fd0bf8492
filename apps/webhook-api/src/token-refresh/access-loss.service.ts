import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionStatus } from '@connector-service/contracts';
import { BackgroundWork, withoutDeadline } from '@connector-service/app-core';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { ConsentLinkService } from '../connect/consent-link.service';
import { LeaseService } from '../leases/lease.service';
import { MetadataUpdateWorker } from '../metadata-outbox/metadata-update.worker';

export const REAUTH_EMAIL_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * What happens when Google says a grant is gone (`invalid_grant`): the connection becomes
 * `reauth_required`, database-api hears it through the durable outbox, and the user is
 * owed a fresh consent link by e-mail, at most one a day per connection. The e-mail
 * counts as sent only once the SMTP server accepted it; until then it stays owed and every
 * refresh sweep (REFRESH_SWEEP_INTERVAL_MS) tries it again. The first try starts at once but
 * off the request that met the loss: its answer (409 REAUTH_REQUIRED) never waits for SMTP.
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
   * Sends the reconnect e-mail if one is owed now (one replica at a time); recorded as
   * sent only when SMTP accepted it, otherwise it stays owed for the next sweep.
   */
  async sendOwedEmail(calendarId: string): Promise<void> {
    await this.leases.runExclusive(`reauth-email:${calendarId}`, async () => {
      const connection = await this.connections.findById(calendarId);
      const dueAt = connection?.reauthEmailDueAt;
      if (!connection || connection.status !== ConnectionStatus.ReauthRequired || !dueAt) return;
      if (dueAt.getTime() > Date.now()) return;
      const { emailSent } = await this.consentLinks.send(connection.subaccountId, connection.userEmail, 'reconnect');
      if (emailSent) {
        await this.connections.recordReauthEmailSent(connection._id, new Date());
        return;
      }
      this.logger.warn(
        `Reconnect e-mail for ${calendarId} was not accepted (attempt ${connection.reauthEmailAttempts + 1}); the next sweep tries again`,
      );
      await this.connections.recordReauthEmailFailure(connection._id);
    });
  }
}
