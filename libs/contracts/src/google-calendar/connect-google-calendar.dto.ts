import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { SUBACCOUNT_ID_EXAMPLE, SUBACCOUNT_ID_PATTERN } from '../common/identifiers';

/** Body of database-api's `handlegooglecalendar`. */
export class ConnectGoogleCalendarDto {
  @ApiProperty({ example: 'user@example.com', format: 'email', minLength: 3, maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'userEmail must be an e-mail address' })
  readonly userEmail!: string;
}

/** Body of webhook-api's `POST /api/google-calendar/connect` (service route). */
export class StartGoogleCalendarConnectDto extends ConnectGoogleCalendarDto {
  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE, pattern: SUBACCOUNT_ID_PATTERN.source })
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsString()
  @Matches(SUBACCOUNT_ID_PATTERN, { message: 'subaccountId must be a 24-hex-digit id' })
  readonly subaccountId!: string;
}
