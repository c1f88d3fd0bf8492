import { Injectable, Logger } from '@nestjs/common';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { GoogleCalendarConnectService } from '../google-calendar/google-calendar-connect.service';
import { MetadataSyncWorker } from '../outbox/metadata-sync.worker';

const REAUTH_EMAIL_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * What happens when Google says a grant is gone (`invalid_grant`): the connection becomes
 * `reauth_required`, database-api hears it through the durable outbox, and the user gets a
 * fresh consent link by e-mail, at most once a day per connection.
 */
@Injectable()
export class AccessLossService {
  private readonly logger = new Logger(AccessLossService.name);

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly metadataSync: MetadataSyncWorker,
    private readonly connect: GoogleCalendarConnectService,
  ) {}

  async accessLost(connection: ConnectionRecord, reason: string): Promise<void> {
    const now = new Date();
    const updated = await this.connections.markReauthRequired(connection._id, reason, now);
    if (!updated) return;
    this.logger.warn(`Connection ${connection._id.toString()} lost Google access (${reason}); reauthorization required`);
    this.metadataSync.deliverSoon(connection._id.toString());
    if (await this.connections.claimReauthEmail(connection._id, now, REAUTH_EMAIL_INTERVAL_MS)) {
      await this.connect.startConnect(
        { subaccountId: connection.subaccountId, userEmail: connection.userEmail },
        'reconnect',
      );
    }
  }
}
