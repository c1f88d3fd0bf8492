import { Body, Controller, HttpCode, HttpStatus, Post, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ErrorEnvelopeDto,
  GroupAvailabilityRequestDto,
  GroupAvailabilityResultDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { UserAuth } from '../auth/user-auth.decorator';
import { GroupAvailabilityService } from './group-availability.service';
import { ProxiedAnswer, ProxiedAnswerInterceptor } from './proxied-answer.interceptor';

/** The route's error answers, by the codes each status may carry (401 comes with UserAuth). */
function ApiGroupAvailabilityErrors(): MethodDecorator {
  const answers: [HttpStatus, string][] = [
    [
      HttpStatus.BAD_REQUEST,
      'VALIDATION_FAILED (also a subaccount named twice, required above the participants); GOOGLE_REJECTED_REQUEST',
    ],
    [
      HttpStatus.FORBIDDEN,
      'FORBIDDEN: the token may not act on a subaccount named (details.subaccountIds); GOOGLE_PERMISSION_DENIED',
    ],
    [HttpStatus.NOT_FOUND, 'NOT_FOUND: Google cannot read a calendar of the participant details.subaccountId'],
    [
      HttpStatus.CONFLICT,
      'NOT_CONNECTED: the participant details.subaccountId has no google-calendar connector or is not connected; ' +
        'REAUTH_REQUIRED: its Google access was lost',
    ],
  ];
  return applyDecorators(
    ApiErrors(HttpStatus.BAD_GATEWAY, HttpStatus.GATEWAY_TIMEOUT),
    ...answers.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })),
    ApiResponse({
      status: HttpStatus.TOO_MANY_REQUESTS,
      type: ErrorEnvelopeDto,
      description: "RATE_LIMITED: Google rate-limited a participant's account after our own retries",
      headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'string' } } },
    }),
  );
}

/** Availability of a group of subaccounts, done by webhook-api (the contract's "Availability of a group"). */
@ApiTags('google-calendar')
@Controller('google-calendar')
// JWT only here: the subaccounts are in the body, so the service checks the tenant of each.
@UserAuth()
@UseInterceptors(ProxiedAnswerInterceptor)
export class GroupAvailabilityController {
  constructor(private readonly groupAvailability: GroupAvailabilityService) {}

  @Post('availability')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Slots at least `required` of the participants are free for (default: all of them), with who is free',
    description:
      'Every subaccount named must be in the token (or the token is admin), else 403. A subaccount named twice, or ' +
      '`required` above the number of participants, is a 400. One participant that cannot be answered fails the ' +
      'request with error.details.subaccountId naming it: 409 NOT_CONNECTED (no google-calendar connector, or not ' +
      'connected) or REAUTH_REQUIRED; 404 NOT_FOUND when Google cannot read one of its calendars; 429, 502 or 504 ' +
      'when its Google failed.',
  })
  @ApiEnvelope(GroupAvailabilityResultDto)
  @ApiGroupAvailabilityErrors()
  availability(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: GroupAvailabilityRequestDto,
  ): Promise<ProxiedAnswer<GroupAvailabilityResultDto>> {
    return this.groupAvailability.availability(user, body);
  }
}
