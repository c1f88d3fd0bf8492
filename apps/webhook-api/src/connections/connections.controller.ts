import { Controller, Delete, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  CalendarIdParamsDto,
  GoogleCalendarConnectionDto,
  GoogleCalendarDisconnectResultDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, MessageResult } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { GoogleCalendarApiClient } from '../google/google-calendar-api.client';
import { AuthorizedGoogleClientProvider } from './authorized-google-client.provider';
import { ConnectionLifecycleService } from './connection-lifecycle.service';

export class CalendarSummaryDto {
  @ApiProperty({ example: 'user@example.com' })
  readonly id!: string;

  @ApiProperty({ example: 'user@example.com' })
  readonly summary!: string;

  @ApiProperty()
  readonly primary!: boolean;

  @ApiProperty({ required: false, example: 'Europe/Berlin' })
  readonly timeZone?: string;

  @ApiProperty({ required: false, example: 'owner' })
  readonly accessRole?: string;
}

@ApiTags('google-calendar connections')
@Controller('google-calendar/connections')
@ServiceAuth()
export class ConnectionsController {
  constructor(
    private readonly lifecycle: ConnectionLifecycleService,
    private readonly clients: AuthorizedGoogleClientProvider,
    private readonly calendarApi: GoogleCalendarApiClient,
  ) {}

  @Get(':calendarId')
  @ApiOperation({ summary: "A connection's status (never a token)" })
  @ApiEnvelope(GoogleCalendarConnectionDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  status(@Param() params: CalendarIdParamsDto): Promise<GoogleCalendarConnectionDto> {
    return this.lifecycle.status(params.calendarId);
  }

  @Delete(':calendarId')
  @ApiOperation({ summary: 'Disconnect: revoke at Google, delete the tokens, metadata → disconnected' })
  @ApiEnvelope(GoogleCalendarDisconnectResultDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  disconnect(@Param() params: CalendarIdParamsDto): Promise<MessageResult<GoogleCalendarDisconnectResultDto>> {
    return this.lifecycle.disconnect(params.calendarId);
  }

  @Get(':calendarId/calendars')
  @ApiOperation({ summary: "The connected account's calendars (refreshes the access token when needed)" })
  @ApiEnvelope(CalendarSummaryDto, { isArray: true })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY)
  async calendars(@Param() params: CalendarIdParamsDto): Promise<CalendarSummaryDto[]> {
    return this.calendarApi.listCalendars(await this.clients.forConnection(params.calendarId));
  }
}
