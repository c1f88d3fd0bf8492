import { Body, Controller, Get, HttpStatus, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CalendarIdParamsDto, SetWatchedCalendarsDto, WatchedCalendarDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { ConnectionOfSubaccount } from '../connections/connection-subaccount.guard';
import { WatchedCalendarsService } from './watched-calendars.service';

/** The calendars whose changes a connection delivers (the contract's "Change notifications"). */
@ApiTags('google-calendar change notifications')
@Controller('google-calendar/connections/:calendarId/watched-calendars')
// Above ServiceAuth: the service token is checked first.
@ConnectionOfSubaccount()
@ServiceAuth()
export class WatchedCalendarsController {
  constructor(private readonly watched: WatchedCalendarsService) {}

  @Get()
  @ApiOperation({ summary: 'The watched calendars, each active or ended' })
  @ApiEnvelope(WatchedCalendarDto, { isArray: true })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED, HttpStatus.CONFLICT)
  list(@Param() params: CalendarIdParamsDto): Promise<WatchedCalendarDto[]> {
    return this.watched.list(params.calendarId);
  }

  @Put()
  @ApiOperation({
    summary: 'Choose the watched calendars (1–25 the account can read; 400 names the others)',
    description:
      'A calendar added takes its baseline (its existing events are not delivered) and gets its own push channel and sequence; one removed has its channel stopped.',
  })
  @ApiEnvelope(WatchedCalendarDto, { isArray: true })
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.UNAUTHORIZED,
    HttpStatus.CONFLICT,
    HttpStatus.TOO_MANY_REQUESTS,
    HttpStatus.BAD_GATEWAY,
    HttpStatus.GATEWAY_TIMEOUT,
  )
  replace(@Param() params: CalendarIdParamsDto, @Body() body: SetWatchedCalendarsDto): Promise<WatchedCalendarDto[]> {
    return this.watched.replace(params.calendarId, body.googleCalendarIds);
  }
}
