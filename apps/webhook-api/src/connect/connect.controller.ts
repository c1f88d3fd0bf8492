import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GoogleCalendarConnectResultDto,
  StartGoogleCalendarConnectDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, MessageResult } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import type { Response } from 'express';
import { GoogleCalendarCallbackResponder } from './google-calendar-callback.responder';
import { GoogleCalendarConnectService } from './google-calendar-connect.service';

@ApiTags('google-calendar')
@Controller('google-calendar')
export class GoogleCalendarController {
  constructor(
    private readonly connect: GoogleCalendarConnectService,
    private readonly responder: GoogleCalendarCallbackResponder,
  ) {}

  @Post('connect')
  @HttpCode(HttpStatus.OK)
  @ServiceAuth()
  @ApiOperation({
    summary: 'Build a Google consent link for a subaccount and e-mail it to the user',
    description: 'emailSent is false (still 200) when the e-mail could not be sent; authUrl works either way.',
  })
  @ApiEnvelope(GoogleCalendarConnectResultDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.PAYLOAD_TOO_LARGE)
  start(@Body() body: StartGoogleCalendarConnectDto): Promise<MessageResult<GoogleCalendarConnectResultDto>> {
    return this.connect.startConnect(body);
  }

  /** Google's redirect; answers a browser (an HTML page or a redirect), never JSON. */
  @Get('callback')
  @UseGuards(ThrottlerGuard)
  @ApiExcludeEndpoint()
  async callback(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const outcome = await this.connect.completeAuthorization({
      code: single(query['code']),
      state: single(query['state']),
      error: single(query['error']),
    });
    this.responder.answer(response, outcome);
  }
}

/** Google sends each parameter once; anything else (arrays, objects) counts as absent. */
function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined;
}
