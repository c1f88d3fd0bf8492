import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsSubaccountId } from '../common/identifier.decorators';

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
  @IsSubaccountId()
  readonly subaccountId!: string;
}
