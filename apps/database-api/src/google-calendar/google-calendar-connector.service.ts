import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import {
  ErrorCode,
  GOOGLE_CALENDAR_CONNECTOR_ID,
  GoogleCalendarConnectResultDto,
  GoogleCalendarDisconnectResultDto,
} from '@connector-service/contracts';
import { DomainException, MessageResult } from '@connector-service/app-core';
import { ConnectorKind, ConnectorKinds } from '../connectors/connector-kinds';
import type { ConnectorRecord } from '../connectors/connector.repository';
import { ConnectorsService } from '../connectors/connectors.service';
import { WebhookApiClient } from '../webhook-api-client/webhook-api.client';
import { ConnectorConnection, connectionOf, mayBeConnected } from './connector-connection';

/**
 * The google-calendar connector and its connection, which webhook-api holds: the consent
 * link, the disconnect, finding the connection for calendar work, and (as its
 * ConnectorKind) ending the connection before the connector is removed.
 */
@Injectable()
export class GoogleCalendarConnectorService implements ConnectorKind, OnModuleInit {
  readonly connectorId = GOOGLE_CALENDAR_CONNECTOR_ID;
  readonly defaultName = 'Google Calendar';

  constructor(
    private readonly connectors: ConnectorsService,
    private readonly kinds: ConnectorKinds,
    private readonly webhookApi: WebhookApiClient,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /** Has webhook-api e-mail the user a consent link; the connector must exist. */
  async requestConnection(
    subaccountId: string,
    userEmail: string,
  ): Promise<MessageResult<GoogleCalendarConnectResultDto>> {
    await this.connectors.require(subaccountId, GOOGLE_CALENDAR_CONNECTOR_ID);
    const answer = await this.webhookApi.connectGoogleCalendar(subaccountId, userEmail);
    return new MessageResult(answer.data, answer.message ?? `Authorization link sent to ${userEmail}`);
  }

  /** Has webhook-api revoke and forget the connection named in the connector's metadata. */
  async disconnect(subaccountId: string): Promise<MessageResult<GoogleCalendarDisconnectResultDto>> {
    const connection = await this.connectionOf(subaccountId, 'Google Calendar was never connected for this subaccount');
    const answer = await this.webhookApi.disconnectGoogleCalendar(connection);
    return new MessageResult(answer.data, answer.message ?? 'Disconnected');
  }

  /**
   * The connection the subaccount's connector names: 404 `CONNECTOR_NOT_FOUND` without the
   * connector, 409 `NOT_CONNECTED` (saying `notConnected`) when it was never connected.
   * Whether it is connected now is webhook-api's to say.
   */
  async connectionOf(
    subaccountId: string,
    notConnected = 'Google Calendar is not connected for this subaccount; connect it first',
  ): Promise<ConnectorConnection> {
    const connection = connectionOf(await this.connectors.require(subaccountId, GOOGLE_CALENDAR_CONNECTOR_ID));
    // 409 on every route that needs a connection (the contract: one condition, one status).
    if (!connection) throw new DomainException(HttpStatus.CONFLICT, ErrorCode.NotConnected, notConnected);
    return connection;
  }

  /**
   * The connections these subaccounts' connectors name, read at once; a subaccount without
   * the connector, or whose connector was never connected, is absent.
   */
  async connectionsOf(subaccountIds: readonly string[]): Promise<Map<string, ConnectorConnection>> {
    const connectors = await this.connectors.findOfSubaccounts(subaccountIds, GOOGLE_CALENDAR_CONNECTOR_ID);
    const found = new Map<string, ConnectorConnection>();
    for (const connector of connectors) {
      const connection = connectionOf(connector);
      if (connection) found.set(connector.subaccountId, connection);
    }
    return found;
  }

  /**
   * Before the connector goes, its connection is disconnected as by the disconnect route
   * (channels stopped, grant revoked, tokens deleted, the platform told), so nothing keeps
   * running for a connector that no longer exists; webhook-api failing (502/504) keeps the
   * connector. Not asked when the metadata shows no connection, and nothing is left to end
   * when webhook-api answers NOT_CONNECTED (already disconnected, or not this subaccount's).
   */
  async beforeRemove(connector: ConnectorRecord): Promise<void> {
    const connection = connectionOf(connector);
    if (!connection || !mayBeConnected(connection)) return;
    try {
      await this.webhookApi.disconnectGoogleCalendar(connection);
    } catch (error) {
      if (error instanceof DomainException && error.code === ErrorCode.NotConnected) return;
      throw error;
    }
  }
}
