import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AvailabilityRequestDto,
  AvailabilityResultDto,
  CalendarEventDto,
  CalendarIdParamsDto,
  CalendarSummaryDto,
  CancelEventQueryDto,
  CancelledEventDto,
  ConnectionEventParamsDto,
  CreateEventDto,
  EventCalendarQueryDto,
  EventsPageDto,
  FreeBusyRequestDto,
  FreeBusyResultDto,
  ListEventsQueryDto,
  RespondToEventDto,
  UpdateEventDto,
  UpdateEventQueryDto,
  EventDateDto,
  EventDateTimeDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, ApiIdempotencyKey, IdempotencyKey } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import type { FastifyReply } from 'fastify';
import { ConnectionOfSubaccount } from '../connections/connection-subaccount.guard';
import { GoogleCalendarApi } from '../google/google-calendar.api';
import { AvailabilityService } from './availability.service';
import { EventsService } from './events.service';
import { FreeBusyService } from './free-busy.service';

/** Every calendar route may answer these (the contract's "Errors of every calendar route"). */
const CALENDAR_ERRORS = [
  HttpStatus.BAD_REQUEST,
  HttpStatus.UNAUTHORIZED,
  HttpStatus.FORBIDDEN,
  HttpStatus.NOT_FOUND,
  HttpStatus.CONFLICT,
  HttpStatus.TOO_MANY_REQUESTS,
  HttpStatus.BAD_GATEWAY,
  HttpStatus.GATEWAY_TIMEOUT,
];
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Calendar work on a connection (the contract's "Calendar work on a connection"). */
@ApiTags('google-calendar calendar work')
// The two shapes of an event's start/end (CreateEventDto documents them as oneOf).
@ApiExtraModels(EventDateTimeDto, EventDateDto)
@Controller('google-calendar/connections/:calendarId')
// Above ServiceAuth: the service token is checked first.
@ConnectionOfSubaccount()
@ServiceAuth()
export class CalendarController {
  constructor(
    private readonly calendarApi: GoogleCalendarApi,
    private readonly freeBusyService: FreeBusyService,
    private readonly availabilityService: AvailabilityService,
    private readonly events: EventsService,
  ) {}

  @Get('calendars')
  @ApiOperation({ summary: "The connected account's calendars" })
  @ApiEnvelope(CalendarSummaryDto, { isArray: true })
  @ApiErrors(...CALENDAR_ERRORS)
  calendars(@Param() params: CalendarIdParamsDto): Promise<CalendarSummaryDto[]> {
    return this.calendarApi.listCalendars(params.calendarId);
  }

  @Post('freebusy')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Busy times of one or more calendars; a calendar Google cannot read reports its error' })
  @ApiEnvelope(FreeBusyResultDto)
  @ApiErrors(...CALENDAR_ERRORS, HttpStatus.PAYLOAD_TOO_LARGE)
  freeBusy(@Param() params: CalendarIdParamsDto, @Body() body: FreeBusyRequestDto): Promise<FreeBusyResultDto> {
    return this.freeBusyService.freeBusy(
      params.calendarId,
      new Date(body.timeMin),
      new Date(body.timeMax),
      body.googleCalendarIds ?? ['primary'],
    );
  }

  @Post('availability')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Bookable slots from the calendars’ free/busy, working hours, buffers and notice',
    description:
      '404 NOT_FOUND when Google cannot read a listed calendar (error.details: each such { googleCalendarId, error }).',
  })
  @ApiEnvelope(AvailabilityResultDto)
  @ApiErrors(...CALENDAR_ERRORS, HttpStatus.PAYLOAD_TOO_LARGE)
  availability(
    @Param() params: CalendarIdParamsDto,
    @Body() body: AvailabilityRequestDto,
  ): Promise<AvailabilityResultDto> {
    return this.availabilityService.availability(params.calendarId, body);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Single events (recurring ones expanded) in start order, with Google’s page tokens',
    description: 'tag=key:value (repeatable) lists only the events that carry every given tag.',
  })
  @ApiEnvelope(EventsPageDto)
  @ApiErrors(...CALENDAR_ERRORS)
  listEvents(@Param() params: CalendarIdParamsDto, @Query() query: ListEventsQueryDto): Promise<EventsPageDto> {
    return this.events.list(params.calendarId, query);
  }

  @Post('events')
  @ApiOperation({
    summary: 'Create an event; idempotent with Idempotency-Key; with requireFree only if its time is free',
    description:
      'A replay of an earlier request with the same key answers its event with the header Idempotent-Replayed: true. ' +
      '409 SLOT_TAKEN (error.details: the busy interval, and for a series the first occurrence that is not free) when ' +
      'requireFree finds the time busy (a series: any occurrence of the next 365 days, at most 100); ' +
      '422 IDEMPOTENCY_KEY_REUSED for a key used with another body.',
  })
  @ApiIdempotencyKey()
  @ApiEnvelope(CalendarEventDto, { status: HttpStatus.CREATED })
  @ApiErrors(...CALENDAR_ERRORS, HttpStatus.UNPROCESSABLE_ENTITY, HttpStatus.PAYLOAD_TOO_LARGE)
  async createEvent(
    @Param() params: CalendarIdParamsDto,
    @Body() body: CreateEventDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CalendarEventDto> {
    const { event, replayed } = await this.events.create(params.calendarId, body, idempotencyKey);
    if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return event;
  }

  @Get('events/:eventId')
  @ApiOperation({ summary: 'One event (a cancelled one answers with status cancelled)' })
  @ApiEnvelope(CalendarEventDto)
  @ApiErrors(...CALENDAR_ERRORS)
  getEvent(
    @Param() params: ConnectionEventParamsDto,
    @Query() query: EventCalendarQueryDto,
  ): Promise<CalendarEventDto> {
    return this.events.get(params.calendarId, params.eventId, query.googleCalendarId);
  }

  @Patch('events/:eventId')
  @ApiOperation({
    summary:
      'Change the given fields of an event (tags: replaced); with scope=following, an instance and every later one',
    description:
      'An instance id changes that occurrence alone, a series id the whole series. scope=following on an instance ' +
      'splits its series as Google does and answers the new series (400 on an event that is not an instance).',
  })
  @ApiEnvelope(CalendarEventDto)
  @ApiErrors(...CALENDAR_ERRORS, HttpStatus.PAYLOAD_TOO_LARGE)
  updateEvent(
    @Param() params: ConnectionEventParamsDto,
    @Query() query: UpdateEventQueryDto,
    @Body() body: UpdateEventDto,
  ): Promise<CalendarEventDto> {
    return this.events.update(params.calendarId, params.eventId, query, body);
  }

  @Post('events/:eventId/respond')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Answer an invitation as the connected account (its own attendee entry)',
    description: "409 NOT_AN_ATTENDEE when the connected account is not among the event's attendees.",
  })
  @ApiEnvelope(CalendarEventDto)
  @ApiErrors(...CALENDAR_ERRORS, HttpStatus.PAYLOAD_TOO_LARGE)
  respondToEvent(
    @Param() params: ConnectionEventParamsDto,
    @Query() query: EventCalendarQueryDto,
    @Body() body: RespondToEventDto,
  ): Promise<CalendarEventDto> {
    return this.events.respond(params.calendarId, params.eventId, query.googleCalendarId, body);
  }

  @Delete('events/:eventId')
  @ApiOperation({ summary: 'Cancel an event; one already cancelled or gone answers 200 too' })
  @ApiEnvelope(CancelledEventDto)
  @ApiErrors(...CALENDAR_ERRORS)
  cancelEvent(
    @Param() params: ConnectionEventParamsDto,
    @Query() query: CancelEventQueryDto,
  ): Promise<CancelledEventDto> {
    return this.events.cancel(params.calendarId, params.eventId, query.googleCalendarId, query.sendUpdates);
  }
}
