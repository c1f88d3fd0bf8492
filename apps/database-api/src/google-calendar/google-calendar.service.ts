import { Injectable } from '@nestjs/common';
import {
  AvailabilityRequestDto,
  AvailabilityResultDto,
  CalendarEventDto,
  CalendarSummaryDto,
  CancelEventQueryDto,
  CancelledEventDto,
  CreateEventDto,
  EventCalendarQueryDto,
  EventsPageDto,
  FreeBusyRequestDto,
  FreeBusyResultDto,
  ListEventsQueryDto,
  UpdateEventDto,
} from '@connector-service/contracts';
import {
  WebhookApiClient,
  WebhookApiRequest,
  googleCalendarConnectionPath,
} from '../webhook-api-client/webhook-api.client';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { ProxiedAnswer } from './proxied-answer.interceptor';

type ConnectionCall = Omit<WebhookApiRequest, 'path' | 'subaccountId'> & { readonly path: readonly string[] };

/**
 * Calendar work on a subaccount's connection: finds the connection the `google-calendar`
 * connector names and has webhook-api (which alone holds the Google tokens) do the work.
 * Whether the connection is still connected, and everything Google answers, is
 * webhook-api's to say.
 */
@Injectable()
export class GoogleCalendarService {
  constructor(
    private readonly connector: GoogleCalendarConnectorService,
    private readonly webhookApi: WebhookApiClient,
  ) {}

  listCalendars(subaccountId: string): Promise<ProxiedAnswer<CalendarSummaryDto[]>> {
    return this.onConnection(subaccountId, { method: 'GET', path: ['calendars'] });
  }

  freeBusy(subaccountId: string, body: FreeBusyRequestDto): Promise<ProxiedAnswer<FreeBusyResultDto>> {
    return this.onConnection(subaccountId, { method: 'POST', path: ['freebusy'], body });
  }

  availability(subaccountId: string, body: AvailabilityRequestDto): Promise<ProxiedAnswer<AvailabilityResultDto>> {
    return this.onConnection(subaccountId, { method: 'POST', path: ['availability'], body });
  }

  listEvents(subaccountId: string, query: ListEventsQueryDto): Promise<ProxiedAnswer<EventsPageDto>> {
    return this.onConnection(subaccountId, { method: 'GET', path: ['events'], query });
  }

  createEvent(
    subaccountId: string,
    body: CreateEventDto,
    idempotencyKey: string | undefined,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.onConnection(subaccountId, { method: 'POST', path: ['events'], body, idempotencyKey });
  }

  getEvent(
    subaccountId: string,
    eventId: string,
    query: EventCalendarQueryDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.onConnection(subaccountId, { method: 'GET', path: ['events', eventId], query });
  }

  updateEvent(
    subaccountId: string,
    eventId: string,
    query: EventCalendarQueryDto,
    body: UpdateEventDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.onConnection(subaccountId, { method: 'PATCH', path: ['events', eventId], query, body });
  }

  cancelEvent(
    subaccountId: string,
    eventId: string,
    query: CancelEventQueryDto,
  ): Promise<ProxiedAnswer<CancelledEventDto>> {
    return this.onConnection(subaccountId, { method: 'DELETE', path: ['events', eventId], query });
  }

  /**
   * `call` on webhook-api's `/connections/:calendarId/...` of this subaccount's connection,
   * naming the subaccount (webhook-api refuses a connection of another one).
   */
  private async onConnection<T>(subaccountId: string, call: ConnectionCall): Promise<ProxiedAnswer<T>> {
    const { calendarId } = await this.connector.connectionOf(subaccountId);
    const answer = await this.webhookApi.request<T>({
      ...call,
      subaccountId,
      path: googleCalendarConnectionPath(calendarId, ...call.path),
    });
    return new ProxiedAnswer(answer);
  }
}
