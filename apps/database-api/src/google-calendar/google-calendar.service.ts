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
  RespondToEventDto,
  UpdateEventDto,
  UpdateEventQueryDto,
} from '@connector-service/contracts';
import {
  WebhookApiClient,
  WebhookApiRequest,
  googleCalendarConnectionPath,
} from '../webhook-api-client/webhook-api.client';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';
import { ProxiedAnswer } from './proxied-answer.interceptor';

type ConnectionCall = Omit<WebhookApiRequest, 'path' | 'subaccountId'> & {
  readonly path: readonly string[];
  /** Query parameters given once per value (`tag=a&tag=b`), which `query` would join into one. */
  readonly repeated?: Readonly<Record<string, readonly string[] | undefined>>;
};

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
    const { tag, ...rest } = query;
    return this.onConnection(subaccountId, { method: 'GET', path: ['events'], query: rest, repeated: { tag } });
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
    query: UpdateEventQueryDto,
    body: UpdateEventDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.onConnection(subaccountId, { method: 'PATCH', path: ['events', eventId], query, body });
  }

  respondToEvent(
    subaccountId: string,
    eventId: string,
    query: EventCalendarQueryDto,
    body: RespondToEventDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.onConnection(subaccountId, { method: 'POST', path: ['events', eventId, 'respond'], query, body });
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
  async onConnection<T>(subaccountId: string, call: ConnectionCall): Promise<ProxiedAnswer<T>> {
    const { calendarId } = await this.connector.connectionOf(subaccountId);
    const { repeated, ...request } = call;
    const answer = await this.webhookApi.request<T>({
      ...request,
      subaccountId,
      path: googleCalendarConnectionPath(calendarId, ...call.path) + repeatedQuery(repeated),
    });
    return new ProxiedAnswer(answer);
  }
}

/**
 * `?name=value&name=value…` for parameters with several values. WebhookApiClient adds `query`
 * to the path's own query string, so these ride on the path (`new URL` keeps them).
 */
function repeatedQuery(repeated: ConnectionCall['repeated']): string {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(repeated ?? {})) {
    for (const value of values ?? []) params.append(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
