import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ConnectGoogleCalendarDto,
  GoogleCalendarConnectResultDto,
  GoogleCalendarDisconnectResultDto,
  SubaccountParamsDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, MessageResult } from '@connector-service/app-core';
import { UserAuth } from '../auth/user-auth.decorator';
import { UserThrottlerGuard } from '../auth/user-throttler.guard';
import { GoogleCalendarConnectorService } from './google-calendar-connector.service';

@ApiTags('connectors')
@Controller('connectors')
export class GoogleCalendarConnectorController {
  constructor(private readonly googleCalendar: GoogleCalendarConnectorService) {}

  @Post(':subaccountId/handlegooglecalendar')
  @HttpCode(HttpStatus.OK)
  // Listed above @UserAuth() so it runs after the JWT guard and can count per user.
  @UseGuards(UserThrottlerGuard)
  @UserAuth()
  @ApiOperation({
    summary: 'E-mail the user a Google consent link for this subaccount (via webhook-api)',
    description:
      'The connector google-calendar must exist. emailSent is false (still 200) when the e-mail could not be sent.',
  })
  @ApiEnvelope(GoogleCalendarConnectResultDto)
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.TOO_MANY_REQUESTS,
    HttpStatus.BAD_GATEWAY,
    HttpStatus.GATEWAY_TIMEOUT,
  )
  handleGoogleCalendar(
    @Param() params: SubaccountParamsDto,
    @Body() body: ConnectGoogleCalendarDto,
  ): Promise<MessageResult<GoogleCalendarConnectResultDto>> {
    return this.googleCalendar.requestConnection(params.subaccountId, body.userEmail);
  }

  @Delete(':subaccountId/google-calendar/connection')
  @UserAuth()
  @ApiOperation({
    summary:
      'Disconnect Google Calendar: revoke at Google, delete the tokens, metadata → disconnected (via webhook-api)',
    description:
      '404 CONNECTOR_NOT_FOUND without the connector; 409 NOT_CONNECTED when it was never connected or is already disconnected.',
  })
  @ApiEnvelope(GoogleCalendarDisconnectResultDto)
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.BAD_GATEWAY,
    HttpStatus.GATEWAY_TIMEOUT,
  )
  disconnect(@Param() params: SubaccountParamsDto): Promise<MessageResult<GoogleCalendarDisconnectResultDto>> {
    return this.googleCalendar.disconnect(params.subaccountId);
  }
}
