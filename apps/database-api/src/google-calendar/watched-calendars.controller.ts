import { Body, Controller, Get, Param, Put, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SetWatchedCalendarsDto, SubaccountParamsDto, WatchedCalendarDto } from '@connector-service/contracts';
import { ApiEnvelope } from '@connector-service/app-core';
import { UserAuth } from '../auth/user-auth.decorator';
import { ApiCalendarErrors } from './google-calendar-api.decorators';
import { GoogleCalendarService } from './google-calendar.service';
import { ProxiedAnswer, ProxiedAnswerInterceptor } from './proxied-answer.interceptor';

/** Which of the subaccount's calendars deliver change notifications, kept by webhook-api (the contract's "Change notifications"). */
@ApiTags('google-calendar')
@Controller('connectors/:subaccountId/google-calendar/watched-calendars')
@UserAuth()
@UseInterceptors(ProxiedAnswerInterceptor)
export class WatchedCalendarsController {
  constructor(private readonly googleCalendar: GoogleCalendarService) {}

  @Get()
  @ApiOperation({ summary: 'The watched calendars, each active or ended (Google no longer lets the account read it)' })
  @ApiEnvelope(WatchedCalendarDto, { isArray: true })
  @ApiCalendarErrors()
  list(@Param() params: SubaccountParamsDto): Promise<ProxiedAnswer<WatchedCalendarDto[]>> {
    return this.googleCalendar.onConnection(params.subaccountId, { method: 'GET', path: ['watched-calendars'] });
  }

  @Put()
  @ApiOperation({
    summary: 'Choose the watched calendars (1–25 the account can read; 400 names the others in details.unreadable)',
    description:
      'A calendar added takes its baseline (its existing events are not delivered) and gets its own push channel and sequence; one removed has its channel stopped.',
  })
  @ApiEnvelope(WatchedCalendarDto, { isArray: true })
  @ApiCalendarErrors()
  replace(
    @Param() params: SubaccountParamsDto,
    @Body() body: SetWatchedCalendarsDto,
  ): Promise<ProxiedAnswer<WatchedCalendarDto[]>> {
    return this.googleCalendar.onConnection(params.subaccountId, {
      method: 'PUT',
      path: ['watched-calendars'],
      body,
    });
  }
}
