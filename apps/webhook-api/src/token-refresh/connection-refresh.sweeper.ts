import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRepository } from '../connections/connection.repository';
import { AuthorizedGoogleClientProvider } from './authorized-google-client.provider';

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Refreshes connections whose tokens were not refreshed for a day, so a grant revoked at
 * Google is found (and the user asked to reconnect) before anyone needs the calendar.
 * Bounded batches, one connection at a time; a failing connection is backed off from
 * (see AuthorizedGoogleClientProvider) instead of hammering Google.
 */
@Injectable()
export class ConnectionRefreshSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionRefreshSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly clients: AuthorizedGoogleClientProvider,
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

  /** One bounded pass; returns how many connections it tried. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<number> {
    try {
      const now = new Date();
      const due = await this.connections.findDueForSweep(
        now,
        new Date(now.getTime() - STALE_AFTER_MS),
        this.config.REFRESH_SWEEP_BATCH_SIZE,
      );
      for (const connection of due) {
        try {
          await this.clients.accessToken(connection._id.toString(), { force: true });
        } catch (error) {
          this.logger.warn(`Sweep refresh of ${connection._id.toString()} failed: ${(error as Error).message}`);
        }
      }
      return due.length;
    } catch (error) {
      this.logger.warn(`Refresh sweep could not run: ${(error as Error).message}`);
      return 0;
    }
  }
}
