import { ApiProperty } from '@nestjs/swagger';
import { SUBACCOUNT_ID_EXAMPLE } from '../common/identifiers';

export class GoogleCalendarConnectResultDto {
  @ApiProperty({ example: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=...' })
  readonly authUrl!: string;

  @ApiProperty({ example: 'user@example.com' })
  readonly userEmail!: string;

  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ description: 'false when the link could not be e-mailed; authUrl still works' })
  readonly emailSent!: boolean;
}
