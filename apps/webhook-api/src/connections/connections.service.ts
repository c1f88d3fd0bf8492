import { Injectable, Logger } from '@nestjs/common';
import {
  ConnectionStatus,
  GoogleCalendarConnectionDto,
  GoogleCalendarDisconnectResultDto,
} from '@connector-service/contracts';
import { MessageResult } from '@connector-service/app-core';
import { GoogleOAuthClient } from '../google/google-oauth.client';
import { GoogleOAuthRejectedError } from '../google/google-errors';
import { MetadataUpdateWorker } from '../metadata-outbox/metadata-update.worker';
import { PushChannelsService } from '../push-channels/push-channels.service';
import { ConnectionRecord, ConnectionRepository } from './connection.repository';
import { connectionChanged, connectionNotFound, connectionNotUsable } from './connection-errors';

/** A connection's status for the platform, and disconnecting it. */
@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly google: GoogleOAuthClient,
    private readonly metadataUpdates: MetadataUpdateWorker,
    private readonly pushChannels: PushChannelsService,
  ) {}

  async status(calendarId: string): Promise<GoogleCalendarConnectionDto> {
    const connection = await this.connections.findById(calendarId);
    if (!connection) throw connectionNotFound(calendarId);
    return toConnectionDto(connection);
  }

  /**
   * Stops the push channels and revokes the grant at Google (before answering), deletes the
   * tokens and has the metadata say `disconnected`. A revoke Google refuses or cannot take still disconnects
   * here, and says so. A second call changes nothing: 409 NOT_CONNECTED.
   */
  async disconnect(calendarId: string): Promise<MessageResult<GoogleCalendarDisconnectResultDto>> {
    const connection = await this.connections.findById(calendarId);
    if (!connection) throw connectionNotFound(calendarId);
    // The contract: disconnected answers 409 NOT_CONNECTED on every route, disconnect included.
    if (connection.status === ConnectionStatus.Disconnected) throw connectionNotUsable(connection.status);
    await this.stopPushChannels(calendarId);
    const revokedAtGoogle = await this.revokeAtGoogle(connection);
    // Only the consent read above is disconnected: one stored meanwhile stays (409).
    const outcome = await this.connections.markDisconnected(connection, new Date());
    if ('unchanged' in outcome && outcome.unchanged === 'reconsented') throw connectionChanged(calendarId);
    const changed = 'disconnected' in outcome;
    if (changed) this.metadataUpdates.deliverSoon(calendarId);
    return new MessageResult(
      { calendarId, status: ConnectionStatus.Disconnected, revokedAtGoogle, changed },
      revokedAtGoogle
        ? 'Disconnected; access was revoked at Google'
        : 'Disconnected here; Google could not confirm the revocation (the user can remove access in their Google account)',
    );
  }

  /** While the grant still works: afterwards Google could no longer be asked to stop them. */
  private async stopPushChannels(calendarId: string): Promise<void> {
    try {
      await this.pushChannels.stopAll(calendarId);
    } catch (error) {
      // Not a reason to keep the connection: the channels lapse at Google, their pushes are ignored.
      this.logger.warn(`Push channels of ${calendarId} could not be stopped: ${(error as Error).message}`);
    }
  }

  private async revokeAtGoogle(connection: ConnectionRecord): Promise<boolean> {
    const tokens = this.connections.openTokens(connection);
    const token = tokens.refreshToken ?? tokens.accessToken;
    if (!token) return false;
    try {
      await this.google.revoke(token);
      return true;
    } catch (error) {
      // Google refusing the token means it is already dead there: nothing is left to revoke.
      if (error instanceof GoogleOAuthRejectedError && error.reason === 'invalid_token') return true;
      this.logger.warn(`Revoke at Google failed for ${connection._id.toString()}: ${(error as Error).message}`);
      return false;
    }
  }
}

export function toConnectionDto(connection: ConnectionRecord): GoogleCalendarConnectionDto {
  return {
    calendarId: connection._id.toString(),
    subaccountId: connection.subaccountId,
    userEmail: connection.userEmail,
    googleEmail: connection.googleEmail,
    scopes: connection.scopes,
    status: connection.status,
    connectedAt: connection.connectedAt.toISOString(),
    lastRefreshedAt: connection.lastRefreshedAt ? connection.lastRefreshedAt.toISOString() : null,
    lastError: connection.lastError ?? null,
  };
}
