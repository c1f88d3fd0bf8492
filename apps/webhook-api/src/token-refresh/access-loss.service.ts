import { Injectable, Logger } from '@nestjs/common';
import { ConnectionStatus } from '@connector-service/contracts';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { ConsentLinkService } from '../connect/consent-link.service';
import { LeaseService } from '../leases/lease.service';
import { MetadataSyncWorker } from '../metadata-outbox/metadata-sync.worker';

export const REAUTH_EMAIL_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * What happens when Google says a grant is gone (`invalid_grant`): the connection becomes
 * `reauth_required`, database-api hears it through the durable outbox, and the user is
 * owed a fresh consent link by e-mail, at most one a day per connection. The e-mail
 * counts as sent only once the SMTP server accepted it; until then it stays owed and every
 * refresh sweep (REFRESH_SWEEP_INTERVAL_MS) tries it again.
 */
@Injectable()
export class AccessLossService {
  private readonly logger = new Logger(AccessLossService.name);

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly metadataSync: MetadataSyncWorker,
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
    this.metadataSync.deliverSoon(connection._id.toString());
    await this.sendOwedEmail(connection._id.toString());
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
