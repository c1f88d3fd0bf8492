import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CALENDAR_ID_EXAMPLE, CALENDAR_ID_PATTERN, SUBACCOUNT_ID_EXAMPLE } from '../common/identifiers';
import { Optional } from '../common/optional';
import { ConnectionStatus } from './google-calendar-connection.dto';

export const CONNECTION_OVERVIEW_PAGE_DEFAULT = 50;
export const CONNECTION_OVERVIEW_PAGE_MAX = 200;

/** `GET /api/google-calendar/connections`: the operator's view of every connection (CONTRACT.md). */
export class ListConnectionsQueryDto {
  @ApiPropertyOptional({
    enum: ConnectionStatus,
    enumName: 'ConnectionStatus',
    description: 'Only connections in this status',
  })
  @Optional()
  @IsEnum(ConnectionStatus, { message: 'status must be connected, reauth_required or disconnected' })
  readonly status?: ConnectionStatus;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CONNECTION_OVERVIEW_PAGE_MAX,
    default: CONNECTION_OVERVIEW_PAGE_DEFAULT,
  })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(CONNECTION_OVERVIEW_PAGE_MAX)
  readonly limit?: number;

  @ApiPropertyOptional({
    pattern: CALENDAR_ID_PATTERN.source,
    example: CALENDAR_ID_EXAMPLE,
    description: 'nextCursor of the previous page: the connections older than it',
  })
  @Optional()
  @Matches(CALENDAR_ID_PATTERN, { message: 'cursor must be the nextCursor of a previous page' })
  @IsString()
  readonly cursor?: string;
}

/** One connection as an operator sees it: where it stands and what is owed on it. Never a token. */
export class ConnectionOverviewDto {
  @ApiProperty({ example: CALENDAR_ID_EXAMPLE })
  readonly calendarId!: string;

  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ example: 'googleuser@gmail.com' })
  readonly googleEmail!: string;

  @ApiProperty({ enum: ConnectionStatus, enumName: 'ConnectionStatus' })
  readonly status!: ConnectionStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'invalid_grant',
    description:
      'What is wrong now, if anything: why access was lost (reauth_required), else the failing token refresh, ' +
      'else the failing calendar sync; null when nothing is failing',
  })
  readonly lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was last (re)connected' })
  readonly connectedAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When its calendar was last synced completely; null before the first sync',
  })
  readonly lastSyncedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When its push channel expires (of several watched calendars, the first to lapse; a channel being ' +
      'renewed counts with its successor); null without an open channel (polling only)',
  })
  readonly channelExpiresAt!: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Change notifications still being tried' })
  readonly pendingDeliveries!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Change notifications given up, as long as they are kept (DELIVERY_ARCHIVE_RETENTION_DAYS)',
  })
  readonly failedDeliveries!: number;
}

export class ConnectionOverviewPageDto {
  @ApiProperty({ type: [ConnectionOverviewDto], description: 'Newest connection first' })
  readonly items!: ConnectionOverviewDto[];

  @ApiPropertyOptional({
    pattern: CALENDAR_ID_PATTERN.source,
    description: 'Pass as `cursor` for the next page; absent on the last page',
  })
  readonly nextCursor?: string;
}
