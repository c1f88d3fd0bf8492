import { HttpStatus, Injectable } from '@nestjs/common';
import {
  ConnectedGroupAvailabilityRequestDto,
  ConnectedParticipantDto,
  ErrorCode,
  GroupAvailabilityRequestDto,
  GroupAvailabilityResultDto,
  GroupAvailabilityParticipantDto,
} from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import { AuthenticatedUser, canAccessSubaccount } from '../auth/authenticated-user';
import { WebhookApiClient } from '../webhook-api-client/webhook-api.client';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { ProxiedAnswer } from './proxied-answer.interceptor';

/** webhook-api's group route (not on one connection: each participant names its own). */
const GROUP_AVAILABILITY_PATH = 'api/google-calendar/availability';

/**
 * Availability of a group (the contract's "Availability of a group"): the tenant check of
 * every participant, each participant's connection found as its google-calendar connector
 * names it, and one call to webhook-api, which asks Google and combines the slots. Whether
 * a named connection is connected now is webhook-api's to say, as on the single routes.
 */
@Injectable()
export class GroupAvailabilityService {
  constructor(
    private readonly connector: GoogleCalendarConnectorService,
    private readonly webhookApi: WebhookApiClient,
  ) {}

  async availability(
    user: AuthenticatedUser,
    request: GroupAvailabilityRequestDto,
  ): Promise<ProxiedAnswer<GroupAvailabilityResultDto>> {
    const forbidden = request.participants.filter((p) => !canAccessSubaccount(user, p.subaccountId));
    if (forbidden.length > 0) {
      throw new DomainException(
        HttpStatus.FORBIDDEN,
        ErrorCode.Forbidden,
        `This token may not act on subaccount ${forbidden.map((p) => p.subaccountId).join(', ')}`,
        { subaccountIds: forbidden.map((p) => p.subaccountId) },
      );
    }
    const participants = await this.connectedParticipants(request.participants);
    const body: ConnectedGroupAvailabilityRequestDto = { ...request, participants };
    return new ProxiedAnswer(
      await this.webhookApi.request<GroupAvailabilityResultDto>({
        method: 'POST',
        path: GROUP_AVAILABILITY_PATH,
        body,
      }),
    );
  }

  /**
   * Each participant with the connection its connector names (all read at once); the first
   * participant (in order) without a google-calendar connector, or whose connector was never
   * connected, answers 409 NOT_CONNECTED with `details.subaccountId`.
   */
  private async connectedParticipants(
    participants: readonly GroupAvailabilityParticipantDto[],
  ): Promise<ConnectedParticipantDto[]> {
    const connections = await this.connector.connectionsOf(participants.map((p) => p.subaccountId));
    return participants.map((participant) => {
      const connection = connections.get(participant.subaccountId);
      if (!connection) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.NotConnected,
          `Google Calendar is not connected for subaccount ${participant.subaccountId}`,
          { subaccountId: participant.subaccountId },
        );
      }
      return { ...participant, calendarId: connection.calendarId };
    });
  }
}
