import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Connection } from 'mongoose';

const PING_TIMEOUT_MS = 1500;

/**
 * A real round trip to MongoDB (`ping` with a timeout). Terminus's own Mongoose indicator
 * only reads the driver's connection state, which stays "connected" for seconds after the
 * server has gone away.
 */
@Injectable()
export class MongoPingIndicator {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async ping(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    return (await this.answers()) ? indicator.up() : indicator.down({ message: 'no answer to ping' });
  }

  private async answers(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        db
          .admin()
          .ping()
          .then(() => true),
        timeout,
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
