import { Controller, Delete, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CalendarIdParamsDto,
  GoogleCalendarConnectionDto,
  GoogleCalendarDisconnectResultDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, MessageResult } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { ConnectionOfSubaccount } from './connection-subaccount.guard';
import { ConnectionsService } from './connections.service';

@ApiTags('google-calendar connections')
@Controller('google-calendar/connections')
// Above ServiceAuth: the service token is checked first.
@ConnectionOfSubaccount()
@ServiceAuth()
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get(':calendarId')
  @ApiOperation({ summary: "A connection's status (never a token)" })
  @ApiEnvelope(GoogleCalendarConnectionDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  status(@Param() params: CalendarIdParamsDto): Promise<GoogleCalendarConnectionDto> {
    return this.connections.status(params.calendarId);
  }

  @Delete(':calendarId')
  @ApiOperation({
    summary: 'Disconnect: revoke at Google, delete the tokens, metadata → disconnected',
    description:
      '409 NOT_CONNECTED when the connection is already disconnected; 409 CONNECTION_CHANGED when a new consent landed during it.',
  })
  @ApiEnvelope(GoogleCalendarDisconnectResultDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  disconnect(@Param() params: CalendarIdParamsDto): Promise<MessageResult<GoogleCalendarDisconnectResultDto>> {
    return this.connections.disconnect(params.calendarId);
  }
}
