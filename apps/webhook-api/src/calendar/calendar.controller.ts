import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CalendarIdParamsDto, CalendarSummaryDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { GoogleCalendarApi } from '../google/google-calendar.api';

/** Calendar work on a connection (the contract's "Calendar work on a connection"). */
@ApiTags('google-calendar calendar work')
@Controller('google-calendar/connections')
@ServiceAuth()
export class CalendarController {
  constructor(private readonly calendarApi: GoogleCalendarApi) {}

  @Get(':calendarId/calendars')
  @ApiOperation({ summary: "The connected account's calendars" })
  @ApiEnvelope(CalendarSummaryDto, { isArray: true })
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.TOO_MANY_REQUESTS,
    HttpStatus.BAD_GATEWAY,
    HttpStatus.GATEWAY_TIMEOUT,
  )
  calendars(@Param() params: CalendarIdParamsDto): Promise<CalendarSummaryDto[]> {
    return this.calendarApi.listCalendars(params.calendarId);
  }
}
