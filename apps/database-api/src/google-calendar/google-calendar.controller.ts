import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  SubaccountEventParamsDto,
  SubaccountParamsDto,
  UpdateEventDto,
  UpdateEventQueryDto,
  EventDateDto,
  EventDateTimeDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiIdempotencyKey, IdempotencyKey, apiLink } from '@connector-service/app-core';
import { UserAuth } from '../auth/user-auth.decorator';
import { ApiCalendarErrors, ApiReplayedHeader } from './google-calendar-api.decorators';
import { GoogleCalendarService } from './google-calendar.service';
import { ProxiedAnswer, ProxiedAnswerInterceptor } from './proxied-answer.interceptor';

const EVENT_LINK_PARAMETERS = {
  subaccountId: '$request.path.subaccountId',
  eventId: '$response.body#/data/id',
};

/** The SPA's calendar work on a subaccount's connection, done by webhook-api (the contract's "Calendar work on a connection"). */
@ApiTags('google-calendar')
// The two shapes of an event's start/end (CreateEventDto documents them as oneOf).
@ApiExtraModels(EventDateTimeDto, EventDateDto)
@Controller('connectors/:subaccountId/google-calendar')
@UserAuth()
@UseInterceptors(ProxiedAnswerInterceptor)
export class GoogleCalendarController {
  constructor(private readonly googleCalendar: GoogleCalendarService) {}

  @Get('calendars')
  @ApiOperation({ summary: "The connected Google account's calendars" })
  @ApiEnvelope(CalendarSummaryDto, { isArray: true })
  @ApiCalendarErrors()
  listCalendars(@Param() params: SubaccountParamsDto): Promise<ProxiedAnswer<CalendarSummaryDto[]>> {
    return this.googleCalendar.listCalendars(params.subaccountId);
  }

  @Post('freebusy')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Busy times of the given calendars (default: primary) in a range of at most 90 days',
  })
  @ApiEnvelope(FreeBusyResultDto)
  @ApiCalendarErrors()
  freeBusy(
    @Param() params: SubaccountParamsDto,
    @Body() body: FreeBusyRequestDto,
  ): Promise<ProxiedAnswer<FreeBusyResultDto>> {
    return this.googleCalendar.freeBusy(params.subaccountId, body);
  }

  @Post('availability')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Bookable slots: working hours in a time zone, minus busy time (widened by the buffers)',
  })
  @ApiEnvelope(AvailabilityResultDto)
  @ApiCalendarErrors()
  availability(
    @Param() params: SubaccountParamsDto,
    @Body() body: AvailabilityRequestDto,
  ): Promise<ProxiedAnswer<AvailabilityResultDto>> {
    return this.googleCalendar.availability(params.subaccountId, body);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Events of a calendar (default: primary) as single instances, ordered by start, a page at a time',
    description: 'tag=key:value (repeatable) lists only the events that carry every given tag.',
  })
  @ApiEnvelope(EventsPageDto)
  @ApiCalendarErrors()
  listEvents(
    @Param() params: SubaccountParamsDto,
    @Query() query: ListEventsQueryDto,
  ): Promise<ProxiedAnswer<EventsPageDto>> {
    return this.googleCalendar.listEvents(params.subaccountId, query);
  }

  @Post('events')
  @ApiOperation({
    summary: 'Create an event (with Idempotency-Key: at most once; with requireFree: only on free time)',
    description:
      'A retry with the same Idempotency-Key and body answers the same event (header Idempotent-Replayed: true); ' +
      'the same key with another body is a 422 IDEMPOTENCY_KEY_REUSED; requireFree on busy time is a 409 SLOT_TAKEN.',
  })
  @ApiIdempotencyKey()
  @ApiEnvelope(CalendarEventDto, {
    status: HttpStatus.CREATED,
    links: {
      GetEvent: apiLink('GoogleCalendarController_getEvent', EVENT_LINK_PARAMETERS),
      UpdateEvent: apiLink('GoogleCalendarController_updateEvent', EVENT_LINK_PARAMETERS),
      CancelEvent: apiLink('GoogleCalendarController_cancelEvent', EVENT_LINK_PARAMETERS),
    },
  })
  @ApiReplayedHeader()
  @ApiCalendarErrors({ idempotent: true })
  createEvent(
    @Param() params: SubaccountParamsDto,
    @Body() body: CreateEventDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.googleCalendar.createEvent(params.subaccountId, body, idempotencyKey);
  }

  @Get('events/:eventId')
  @ApiOperation({ summary: 'One event (of googleCalendarId, default primary)' })
  @ApiEnvelope(CalendarEventDto)
  @ApiCalendarErrors()
  getEvent(
    @Param() params: SubaccountEventParamsDto,
    @Query() query: EventCalendarQueryDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.googleCalendar.getEvent(params.subaccountId, params.eventId, query);
  }

  @Patch('events/:eventId')
  @ApiOperation({
    summary: 'Change the given fields of an event (of googleCalendarId, default primary); tags given replace them',
    description:
      'An instance id changes that occurrence alone, a series id the whole series. With scope=following on an ' +
      'instance: it and every later occurrence (the series is split as Google does; the answer is the new series); ' +
      '400 when the event is not an instance.',
  })
  @ApiEnvelope(CalendarEventDto)
  @ApiCalendarErrors()
  updateEvent(
    @Param() params: SubaccountEventParamsDto,
    @Query() query: UpdateEventQueryDto,
    @Body() body: UpdateEventDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.googleCalendar.updateEvent(params.subaccountId, params.eventId, query, body);
  }

  @Post('events/:eventId/respond')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Answer an invitation as the connected Google account (its own attendee entry)',
    description: "409 NOT_AN_ATTENDEE when the connected account is not among the event's attendees.",
  })
  @ApiEnvelope(CalendarEventDto)
  @ApiCalendarErrors()
  respondToEvent(
    @Param() params: SubaccountEventParamsDto,
    @Query() query: EventCalendarQueryDto,
    @Body() body: RespondToEventDto,
  ): Promise<ProxiedAnswer<CalendarEventDto>> {
    return this.googleCalendar.respondToEvent(params.subaccountId, params.eventId, query, body);
  }

  @Delete('events/:eventId')
  @ApiOperation({
    summary: 'Cancel an event (of googleCalendarId, default primary); one already cancelled or gone answers 200 too',
  })
  @ApiEnvelope(CancelledEventDto)
  @ApiCalendarErrors()
  cancelEvent(
    @Param() params: SubaccountEventParamsDto,
    @Query() query: CancelEventQueryDto,
  ): Promise<ProxiedAnswer<CancelledEventDto>> {
    return this.googleCalendar.cancelEvent(params.subaccountId, params.eventId, query);
  }
}
