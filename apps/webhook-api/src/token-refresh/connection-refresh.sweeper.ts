import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller } from '@connector-service/app-core';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { AccessLossService, EMAIL_SEND_TIMEOUTS } from './access-loss.service';
import { AccessTokenService } from './access-token.service';

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Refreshes connections whose tokens were not refreshed for a day, so a grant revoked at
 * Google is found (and the user asked to reconnect) before anyone needs the calendar, and
 * sends the reconnect e-mails still owed (SMTP was down when access was lost). Each is a
 * DuePoller every REFRESH_SWEEP_INTERVAL_MS with REFRESH_SWEEP_BATCH_SIZE at once; a
 * connection whose refresh failed is left alone until its backoff (`nextRefreshAttemptAt`)
 * is over, and one refresh per connection runs at a time across replicas (AccessTokenService).
 */
@Injectable()
export class ConnectionRefreshSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionRefreshSweeper.name);
  private readonly work = new BackgroundWork();
  private readonly refreshes: DuePoller<ConnectionRecord>;
  private readonly emails: DuePoller<ConnectionRecord>;

  constructor(
    connections: ConnectionRepository,
    tokens: AccessTokenService,
    accessLoss: AccessLossService,
    config: WebhookApiConfig,
  ) {
    const common = {
      intervalMs: config.REFRESH_SWEEP_INTERVAL_MS,
      keyOf: (connection: ConnectionRecord) => connection._id.toString(),
      warn: (message: string) => this.logger.warn(message),
    };
    this.refreshes = new DuePoller(this.work, {
      ...common,
      name: 'refresh-sweep',
      slots: new ConcurrencyLimit(config.REFRESH_SWEEP_BATCH_SIZE),
      // A refresh at Google's token endpoint and its writes.
      itemDeadlineMs: 3 * config.OUTBOUND_TIMEOUT_MS,
      findDue: (now, limit) => connections.findDueForSweep(now, new Date(now.getTime() - STALE_AFTER_MS), limit),
      work: (connection) => tokens.accessToken(connection._id.toString(), { force: true }),
    });
    this.emails = new DuePoller(this.work, {
      ...common,
      name: 'reconnect-emails',
      slots: new ConcurrencyLimit(config.REFRESH_SWEEP_BATCH_SIZE),
      // The SMTP send and the writes around it.
      itemDeadlineMs: (EMAIL_SEND_TIMEOUTS + 1) * config.OUTBOUND_TIMEOUT_MS,
      findDue: (now, limit) => connections.findReauthEmailsDue(now, limit),
      work: (connection) => accessLoss.sendOwedEmail(connection._id.toString()),
    });
  }

  onApplicationBootstrap(): void {
    this.refreshes.start();
    this.emails.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }
}
