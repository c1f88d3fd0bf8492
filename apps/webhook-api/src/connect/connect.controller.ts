import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GoogleCalendarConnectResultDto, StartGoogleCalendarConnectDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, MessageResult } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import type { FastifyReply } from 'fastify';
import { CallbackResponder } from './callback.responder';
import { ConnectService } from './connect.service';

/** The callback's answers to the browser are HTML pages. */
const CALLBACK_PAGE = { content: { 'text/html': { schema: { type: 'string' } } } };

@ApiTags('google-calendar')
@Controller('google-calendar')
export class ConnectController {
  constructor(
    private readonly connect: ConnectService,
    private readonly responder: CallbackResponder,
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
  @ApiOperation({
    summary: "Google's OAuth redirect (opened by the user's browser): completes the connection",
    description:
      'Consumes the single-use `state`, exchanges `code` (PKCE), stores the connection and answers the browser: ' +
      'a small HTML page, or a 302 to OAUTH_SUCCESS_REDIRECT_URL / OAUTH_FAILURE_REDIRECT_URL when they are set ' +
      '(`status=connected&calendarId&subaccountId`, or `status=failed&reason`). Other query parameters Google adds ' +
      '(`scope`, `authuser`, `prompt`, ...) are ignored.',
  })
  @ApiQuery({ name: 'state', required: false, type: String, description: 'The state of the consent link' })
  @ApiQuery({ name: 'code', required: false, type: String, description: "Google's authorization code" })
  @ApiQuery({
    name: 'error',
    required: false,
    type: String,
    description: 'Set by Google instead of code, e.g. access_denied',
  })
  @ApiResponse({ status: HttpStatus.OK, description: 'Connected: the success page', ...CALLBACK_PAGE })
  @ApiResponse({
    status: HttpStatus.FOUND,
    description: 'Connected or not, when redirect URLs are configured: to the success or failure redirect',
    headers: { Location: { description: 'The configured redirect URL with the outcome', schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: HttpStatus.BAD_REQUEST,
    description: 'Not connected: the failure page with its reason (invalid_state, state_expired, access_denied, ...)',
    ...CALLBACK_PAGE,
  })
  @ApiResponse({
    status: HttpStatus.BAD_GATEWAY,
    description: 'Google failed: the failure page (google_unavailable)',
    ...CALLBACK_PAGE,
  })
  @ApiResponse({
    status: HttpStatus.SERVICE_UNAVAILABLE,
    description: 'We could not finish (e.g. the database): the failure page (internal_error)',
    ...CALLBACK_PAGE,
  })
  @ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
  async callback(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const outcome = await this.connect.completeAuthorization({
      code: single(query['code']),
      state: single(query['state']),
      error: single(query['error']),
    });
    this.responder.answer(reply, outcome);
  }
}

/** Google sends each parameter once; anything else (arrays, objects) counts as absent. */
function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined;
}
