import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from '../connections/connection.repository';
import { AccessLossService } from './access-loss.service';
import { AccessTokenService } from './access-token.service';

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface SweepResult {
  refreshed: number;
  emailsTried: number;
}

/**
 * Refreshes connections whose tokens were not refreshed for a day, so a grant revoked at
 * Google is found (and the user asked to reconnect) before anyone needs the calendar, and
 * sends the reconnect e-mails still owed (SMTP was down when access was lost). Bounded
 * batches, one connection at a time; a failing connection is backed off from.
 */
@Injectable()
export class ConnectionRefreshSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionRefreshSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly tokens: AccessTokenService,
    private readonly accessLoss: AccessLossService,
    private readonly config: WebhookApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.REFRESH_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One bounded pass. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const result: SweepResult = { refreshed: 0, emailsTried: 0 };
    try {
      const now = new Date();
      const batch = this.config.REFRESH_SWEEP_BATCH_SIZE;
      for (const connection of await this.connections.findDueForSweep(
        now,
        new Date(now.getTime() - STALE_AFTER_MS),
        batch,
      )) {
        result.refreshed += 1;
        await this.tokens
          .accessToken(connection._id.toString(), { force: true })
          .catch((error: Error) =>
            this.logger.warn(`Sweep refresh of ${connection._id.toString()} failed: ${error.message}`),
          );
      }
      for (const connection of await this.connections.findReauthEmailsDue(now, batch)) {
        result.emailsTried += 1;
        await this.accessLoss
          .sendOwedEmail(connection._id.toString())
          .catch((error: Error) =>
            this.logger.warn(`Reconnect e-mail of ${connection._id.toString()} failed: ${error.message}`),
          );
      }
    } catch (error) {
      this.logger.warn(`Refresh sweep could not run: ${(error as Error).message}`);
    }
    return result;
  }
}
