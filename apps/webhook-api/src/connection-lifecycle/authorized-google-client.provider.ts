import { Injectable } from '@nestjs/common';
import type { OAuth2Client } from 'google-auth-library';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { TokenCipher } from '../connections/token-cipher';
import { GoogleOAuthClient, GoogleOAuthRejectedError } from '../google/google-oauth.client';
import { retryDelayMs } from '../outbox/retry-backoff';
import { AccessLossService } from './access-loss.service';
import { connectionNotFound, connectionNotUsable, googleUnavailable } from './connection-errors';

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const LEASE_MS = 30_000;
const WAIT_STEP_MS = 100;
/** After a failed refresh the sweep leaves the connection alone for 1 min, 2 min ... up to 6 h. */
const SWEEP_BACKOFF = { baseMs: 60_000, maxMs: 6 * 60 * 60 * 1000 };

/**
 * The one place that hands out an authorized Google client for a connection. It refreshes
 * the access token shortly before it expires and persists the new one sealed; only one
 * refresh per connection runs at a time, across replicas (a lease in MongoDB) and within
 * this process (callers share the refresh in flight). Others wait and reuse the result.
 */
@Injectable()
export class AuthorizedGoogleClientProvider {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly cipher: TokenCipher,
    private readonly google: GoogleOAuthClient,
    private readonly accessLoss: AccessLossService,
  ) {}

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
    const deadline = Date.now() + LEASE_MS + 5000;
    for (;;) {
      const connection = await this.connections.findById(calendarId);
      if (!connection) throw connectionNotFound(calendarId);
      if (connection.status !== 'connected') throw connectionNotUsable(connection.status);
      if (this.isFresh(connection, force, startedAt)) return this.cipher.decrypt(connection.accessToken as string);

      const now = new Date();
      const leased = await this.connections.acquireRefreshLease(
        connection._id,
        this.owner,
        now,
        new Date(now.getTime() + LEASE_MS),
      );
      if (leased) {
        // Someone may have refreshed between our read and the lease.
        if (this.isFresh(leased, force, startedAt)) {
          await this.connections.releaseRefreshLease(leased._id, this.owner);
          return this.cipher.decrypt(leased.accessToken as string);
        }
        return this.refresh(leased);
      }
      if (Date.now() > deadline) throw googleUnavailable('another refresh of this connection did not finish');
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  private isFresh(connection: ConnectionRecord, force: boolean, startedAt: Date): boolean {
    if (!connection.accessToken || !connection.accessTokenExpiresAt) return false;
    if (force) return (connection.lastRefreshedAt?.getTime() ?? 0) >= startedAt.getTime();
    return new Date(connection.accessTokenExpiresAt).getTime() - Date.now() > REFRESH_MARGIN_MS;
  }

  private async refresh(connection: ConnectionRecord): Promise<string> {
    if (!connection.refreshToken) {
      await this.connections.releaseRefreshLease(connection._id, this.owner);
      await this.accessLoss.accessLost(connection, 'no_refresh_token');
      throw connectionNotUsable('reauth_required');
    }
    try {
      const tokens = await this.google.refreshAccessToken(this.cipher.decrypt(connection.refreshToken));
      await this.connections.saveRefreshedTokens(
        connection._id,
        this.owner,
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
        await this.connections.releaseRefreshLease(connection._id, this.owner);
        await this.accessLoss.accessLost(connection, 'invalid_grant');
        throw connectionNotUsable('reauth_required');
      }
      // Transient (or unexpected) failures leave the status alone; the sweep backs off.
      const message = (error as Error).message;
      await this.connections.releaseRefreshLease(connection._id, this.owner, {
        error: message,
        nextAttemptAt: new Date(Date.now() + retryDelayMs(connection.refreshFailures + 1, SWEEP_BACKOFF)),
      });
      throw googleUnavailable(message);
    }
  }
}
