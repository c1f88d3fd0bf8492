import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConnectedGroupAvailabilityRequestDto, GroupAvailabilityResultDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { GroupAvailabilityService } from './group-availability.service';

/** Availability of a group: several subaccounts' connections at once (the contract's "Availability of a group"). */
@ApiTags('google-calendar calendar work')
@Controller('google-calendar')
@ServiceAuth()
export class GroupAvailabilityController {
  constructor(private readonly groupAvailability: GroupAvailabilityService) {}

  @Post('availability')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Slots at least `required` of the participants are free for, with who is free, from each connection’s free/busy',
    description:
      'Every participant’s free/busy is asked of Google at once. One participant that cannot be answered fails the ' +
      'request with error.details.subaccountId naming it: 409 NOT_CONNECTED (its connection is not that subaccount’s, ' +
      'or not connected) or REAUTH_REQUIRED; 404 NOT_FOUND when Google cannot read one of its calendars ' +
      '(details.calendars: each { googleCalendarId, error }); 403, 429, 502 or 504 when its Google refused or failed.',
  })
  @ApiEnvelope(GroupAvailabilityResultDto)
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.UNAUTHORIZED,
    HttpStatus.FORBIDDEN,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.TOO_MANY_REQUESTS,
    HttpStatus.BAD_GATEWAY,
    HttpStatus.GATEWAY_TIMEOUT,
  )
  availability(@Body() body: ConnectedGroupAvailabilityRequestDto): Promise<GroupAvailabilityResultDto> {
    return this.groupAvailability.availability(body);
  }
}
