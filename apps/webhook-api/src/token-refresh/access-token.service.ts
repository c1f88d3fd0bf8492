import { Injectable } from '@nestjs/common';
import type { OAuth2Client } from 'google-auth-library';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { TokenCipher } from '../connections/token-cipher';
import { GoogleOAuthClient, GoogleOAuthRejectedError } from '../google/google-oauth.client';
import { retryDelayMs } from '../outbox/retry-backoff';
import { LeaseRepository } from '../leases/lease.repository';
import { LEASE_OWNER } from '../leases/lease-owner';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { AccessLossService } from './access-loss.service';
import { connectionNotFound, connectionNotUsable, googleUnavailable } from './connection-errors';

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const WAIT_STEP_MS = 100;
/** After a failed refresh the sweep leaves the connection alone for 1 min, 2 min ... up to 6 h. */
const SWEEP_BACKOFF = { baseMs: 60_000, maxMs: 6 * 60 * 60 * 1000 };

/**
 * The one place that hands out an authorized Google client for a connection. It refreshes
 * the access token shortly before it expires and persists the new one sealed; only one
 * refresh per connection runs at a time, across replicas (a lease in MongoDB) and within
 * this process (callers share the refresh in flight). Others wait and reuse the result.
 * The lease is a LeaseRepository lock, atomic on MongoDB and FerretDB alike.
 */
@Injectable()
export class AuthorizedGoogleClientProvider {
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Longer than one refresh can take, so a live holder never loses its lease. */
  private readonly leaseMs: number;

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly cipher: TokenCipher,
    private readonly google: GoogleOAuthClient,
    private readonly accessLoss: AccessLossService,
    private readonly leases: LeaseRepository,
    config: WebhookApiConfig,
  ) {
    this.leaseMs = 2 * config.OUTBOUND_TIMEOUT_MS + 5000;
  }

  async forConnection(calendarId: string): Promise<OAuth2Client> {
    return this.google.clientWithAccessToken(await this.accessToken(calendarId));
  }

  /** A usable access token; with `force`, one refreshed after this call began (the sweep). */
  accessToken(calendarId: string, options: { force?: boolean } = {}): Promise<string> {
    const key = `${calendarId}:${options.force ? 'force' : 'fresh'}`;
    const shared = this.inFlight.get(key);
    if (shared) return shared;
    const work = this.obtain(calendarId, options.force === true).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async obtain(calendarId: string, force: boolean): Promise<string> {
    const startedAt = new Date();
    const key = `token-refresh:${calendarId}`;
    const deadline = Date.now() + this.leaseMs + 5000;
    for (;;) {
      const connection = await this.usable(calendarId);
      if (this.isFresh(connection, force, startedAt)) return this.cipher.decrypt(connection.accessToken as string);
      if (await this.leases.tryAcquire(key, LEASE_OWNER, this.leaseMs)) {
        try {
          // Read again under the lease: another replica may have refreshed meanwhile.
          const current = await this.usable(calendarId);
          if (this.isFresh(current, force, startedAt)) return this.cipher.decrypt(current.accessToken as string);
          return await this.refresh(current);
        } finally {
          await this.leases.release(key, LEASE_OWNER);
        }
      }
      if (Date.now() > deadline) throw googleUnavailable('another refresh of this connection did not finish');
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  private async usable(calendarId: string): Promise<ConnectionRecord> {
    const connection = await this.connections.findById(calendarId);
    if (!connection) throw connectionNotFound(calendarId);
    if (connection.status !== 'connected') throw connectionNotUsable(connection.status);
    return connection;
  }

  private isFresh(connection: ConnectionRecord, force: boolean, startedAt: Date): boolean {
    if (!connection.accessToken || !connection.accessTokenExpiresAt) return false;
    if (force) return (connection.lastRefreshedAt?.getTime() ?? 0) >= startedAt.getTime();
    return new Date(connection.accessTokenExpiresAt).getTime() - Date.now() > REFRESH_MARGIN_MS;
  }

  private async refresh(connection: ConnectionRecord): Promise<string> {
    if (!connection.refreshToken) {
      await this.accessLoss.accessLost(connection, 'no_refresh_token');
      throw connectionNotUsable('reauth_required');
    }
    try {
      const tokens = await this.google.refreshAccessToken(this.cipher.decrypt(connection.refreshToken));
      await this.connections.saveRefreshedTokens(
        connection._id,
        {
          accessToken: this.cipher.encrypt(tokens.accessToken),
          accessTokenExpiresAt: tokens.expiresAt,
          ...(tokens.refreshToken ? { refreshToken: this.cipher.encrypt(tokens.refreshToken) } : {}),
        },
        new Date(),
      );
      return tokens.accessToken;
    } catch (error) {
      if (error instanceof GoogleOAuthRejectedError && error.reason === 'invalid_grant') {
        await this.accessLoss.accessLost(connection, 'invalid_grant');
        throw connectionNotUsable('reauth_required');
      }
      // Transient (or unexpected) failures leave the status alone; the sweep backs off.
      const message = (error as Error).message;
      await this.connections.recordRefreshFailure(
        connection._id,
        message,
        new Date(Date.now() + retryDelayMs(connection.refreshFailures + 1, SWEEP_BACKOFF)),
      );
      throw googleUnavailable(message);
    }
  }
}
