import { Injectable } from '@nestjs/common';
import { ConnectionStatus } from '@connector-service/contracts';
import { remainingMs, requestDeadlineExceeded, retryDelayMs } from '@connector-service/app-core';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { connectionNotFound, connectionNotUsable } from '../connections/connection-errors';
import { GoogleOAuthClient } from '../google/google-oauth.client';
import { GoogleOAuthRejectedError, GoogleUnavailableError, tokenEndpointException } from '../google/google-errors';
import { Claim, ClaimLostError } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { AccessLossService } from './access-loss.service';

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const WAIT_STEP_MS = 100;
/** After a failed refresh the sweep leaves the connection alone for 1 min, 2 min ... up to 6 h. */
const SWEEP_BACKOFF = { baseMs: 60_000, maxMs: 6 * 60 * 60 * 1000 };

/**
 * The one place that hands out a connection's access token. It refreshes the token
 * shortly before it expires (or when asked to, after Google refused it) and stores the
 * new one; only one refresh per connection runs at a time, across replicas (a lease) and
 * within this process (callers share the refresh in flight). `invalid_grant` means the
 * access is lost (AccessLossService) and answers 409 REAUTH_REQUIRED.
 */
@Injectable()
export class AccessTokenService {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly google: GoogleOAuthClient,
    private readonly accessLoss: AccessLossService,
    private readonly leases: LeaseService,
  ) {}

  /**
   * A usable access token; with `force`, one refreshed after this call began. `connection`:
   * the connection as the caller just read it, so a fresh token costs no second read.
   */
  accessToken(calendarId: string, options: { force?: boolean; connection?: ConnectionRecord } = {}): Promise<string> {
    const force = options.force === true;
    const known = options.connection;
    if (!force && known?.status === ConnectionStatus.Connected && this.isFresh(known, false, new Date())) {
      return Promise.resolve(this.openedAccessToken(known));
    }
    const key = `${calendarId}:${force ? 'force' : 'fresh'}`;
    const shared = this.inFlight.get(key);
    if (shared) return shared;
    const work = this.obtain(calendarId, force).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async obtain(calendarId: string, force: boolean): Promise<string> {
    const startedAt = new Date();
    const deadline = Date.now() + this.leases.durationMs + 5000;
    for (;;) {
      const connection = await this.usable(calendarId);
      if (this.isFresh(connection, force, startedAt)) return this.openedAccessToken(connection);
      // A refresh is a call to Google: none starts for a request whose deadline passed (e.g.
      // while it waited for another replica's refresh). One under way is not cut short: the
      // token it brings serves the next requests.
      const requestLeft = remainingMs();
      if (requestLeft !== undefined && requestLeft <= 0) throw requestDeadlineExceeded();
      const outcome = await this.leases.runExclusive(`token-refresh:${calendarId}`, async (claim) => {
        // Read again under the claim: another replica may have refreshed meanwhile.
        const current = await this.usable(calendarId);
        return this.isFresh(current, force, startedAt) ? this.openedAccessToken(current) : this.refresh(current, claim);
      });
      if (outcome.ran) return outcome.value;
      if (Date.now() > deadline) {
        throw tokenEndpointException(new GoogleUnavailableError('another refresh of this connection did not finish'));
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  private async usable(calendarId: string): Promise<ConnectionRecord> {
    const connection = await this.connections.findById(calendarId);
    if (!connection) throw connectionNotFound(calendarId);
    if (connection.status !== ConnectionStatus.Connected) throw connectionNotUsable(connection.status);
    return connection;
  }

  private isFresh(connection: ConnectionRecord, force: boolean, startedAt: Date): boolean {
    if (!connection.accessToken || !connection.accessTokenExpiresAt) return false;
    if (force) return (connection.lastRefreshedAt?.getTime() ?? 0) >= startedAt.getTime();
    return new Date(connection.accessTokenExpiresAt).getTime() - Date.now() > REFRESH_MARGIN_MS;
  }

  private openedAccessToken(connection: ConnectionRecord): string {
    return this.connections.openTokens(connection).accessToken as string;
  }

  private async refresh(connection: ConnectionRecord, claim: Claim): Promise<string> {
    const { refreshToken } = this.connections.openTokens(connection);
    if (!refreshToken) {
      await this.accessLoss.accessLost(connection, 'no_refresh_token');
      throw connectionNotUsable(ConnectionStatus.ReauthRequired);
    }
    try {
      claim.assertHeld();
      const tokens = await this.google.refreshAccessToken(refreshToken);
      // A holder that lost its claim saves nothing: another replica may be refreshing now.
      claim.assertHeld();
      await this.connections.saveRefreshedTokens(
        connection._id,
        {
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: tokens.expiresAt,
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        },
        new Date(),
      );
      return tokens.accessToken;
    } catch (error) {
      if (error instanceof GoogleOAuthRejectedError && error.reason === 'invalid_grant') {
        await this.accessLoss.accessLost(connection, 'invalid_grant');
        throw connectionNotUsable(ConnectionStatus.ReauthRequired);
      }
      // Lost its claim: writes nothing; the caller may try again.
      if (error instanceof ClaimLostError) throw tokenEndpointException(new GoogleUnavailableError(error.message));
      // Transient (or unexpected) failures leave the status alone; the sweep backs off.
      const message = (error as Error).message;
      await this.connections.recordRefreshFailure(
        connection._id,
        message,
        new Date(Date.now() + retryDelayMs(connection.refreshFailures + 1, SWEEP_BACKOFF)),
      );
      throw tokenEndpointException(
        error instanceof GoogleUnavailableError
          ? error
          : new GoogleUnavailableError(`Google refused the refresh: ${message}`),
      );
    }
  }
}
