import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { CALENDAR_ID_PATTERN, SUBACCOUNT_ID_EXAMPLE } from '../common/identifiers';

export const CONNECTION_STATUSES = ['connected', 'reauth_required', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export class CalendarIdParamsDto {
  @ApiProperty({ example: '68cf06a160d294db17c06871', pattern: CALENDAR_ID_PATTERN.source })
  @Matches(CALENDAR_ID_PATTERN, { message: 'calendarId must be a 24-hex-digit id' })
  readonly calendarId!: string;
}

/** A stored Google Calendar connection as answered by webhook-api; never a token. */
export class GoogleCalendarConnectionDto {
  @ApiProperty({ example: '68cf06a160d294db17c06871' })
  readonly calendarId!: string;

  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ example: 'user@example.com' })
  readonly userEmail!: string;

  @ApiProperty({ example: 'googleuser@gmail.com' })
  readonly googleEmail!: string;

  @ApiProperty({ type: [String] })
  readonly scopes!: string[];

  @ApiProperty({ enum: CONNECTION_STATUSES })
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
  @ApiProperty({ example: '68cf06a160d294db17c06871' })
  readonly calendarId!: string;

  @ApiProperty({ enum: ['disconnected'] })
  readonly status!: 'disconnected';

  @ApiProperty({ description: 'Whether Google confirmed the revocation' })
  readonly revokedAtGoogle!: boolean;

  @ApiProperty({ description: 'false when the connection was already disconnected' })
  readonly changed!: boolean;
}
