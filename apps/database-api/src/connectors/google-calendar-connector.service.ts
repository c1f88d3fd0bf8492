import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  GOOGLE_CALENDAR_CONNECTOR_ID,
  GoogleCalendarConnectResultDto,
  GoogleCalendarDisconnectResultDto,
} from '@connector-service/contracts';
import { MessageResult, NotFoundDomainException } from '@connector-service/app-core';
import { WebhookApiClient } from '../webhook-api-client/webhook-api.client';
import { ConnectorsService } from './connectors.service';

/** The Google Calendar connector's actions, carried out by webhook-api. */
@Injectable()
export class GoogleCalendarConnectorService {
  constructor(
    private readonly connectors: ConnectorsService,
    private readonly webhookApi: WebhookApiClient,
  ) {}

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
    const calendarId = await this.connectors.googleCalendarIdOf(subaccountId);
    if (!calendarId) {
      throw new NotFoundDomainException(
        ErrorCode.NotConnected,
        'Google Calendar was never connected for this subaccount',
      );
    }
    const answer = await this.webhookApi.disconnectGoogleCalendar(calendarId);
    return new MessageResult(answer.data, answer.message ?? 'Disconnected');
  }
}
