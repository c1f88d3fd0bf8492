import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCalendarId } from '../common/identifier.decorators';
import { CALENDAR_ID_EXAMPLE, SUBACCOUNT_ID_EXAMPLE } from '../common/identifiers';

/** Where a Google Calendar connection stands; the values are those of the wire and the database. */
export enum ConnectionStatus {
  Connected = 'connected',
  ReauthRequired = 'reauth_required',
  Disconnected = 'disconnected',
}

export class CalendarIdParamsDto {
  @IsCalendarId()
  readonly calendarId!: string;
}

/** A stored Google Calendar connection as answered by webhook-api; never a token. */
export class GoogleCalendarConnectionDto {
  @ApiProperty({ example: CALENDAR_ID_EXAMPLE })
  readonly calendarId!: string;

  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ example: 'user@example.com' })
  readonly userEmail!: string;

  @ApiProperty({ example: 'googleuser@gmail.com' })
  readonly googleEmail!: string;

  @ApiProperty({ type: [String] })
  readonly scopes!: string[];

  @ApiProperty({ enum: ConnectionStatus, enumName: 'ConnectionStatus' })
  readonly status!: ConnectionStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly connectedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readonly lastRefreshedAt!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'invalid_grant' })
  readonly lastError?: string | null;
}

/** What a disconnect reports. */
export class GoogleCalendarDisconnectResultDto {
  @ApiProperty({ example: CALENDAR_ID_EXAMPLE })
  readonly calendarId!: string;

  @ApiProperty({ enum: [ConnectionStatus.Disconnected] })
  readonly status!: ConnectionStatus.Disconnected;

  @ApiProperty({ description: 'Whether Google confirmed the revocation' })
  readonly revokedAtGoogle!: boolean;

  @ApiProperty({ description: 'false when a concurrent disconnect got there first' })
  readonly changed!: boolean;
}
