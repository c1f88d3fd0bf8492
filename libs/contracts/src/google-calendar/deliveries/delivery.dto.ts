import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CALENDAR_ID_EXAMPLE, SUBACCOUNT_ID_EXAMPLE } from '../../common/identifiers';
import { Optional } from '../../common/optional';

/** The kinds of change notification webhook-api sends to the platform (`type` of the body). */
export enum DeliveryType {
  CalendarEventsChanged = 'calendar.events.changed',
  ConnectionStatusChanged = 'connection.status_changed',
  /** A watched calendar Google no longer lets the account read (deleted, unshared): it is no longer synced. */
  CalendarWatchEnded = 'calendar.watch_ended',
}

/** Where one delivery stands: still being tried, landed (2xx), or given up after the retry window. */
export enum DeliveryStatus {
  Pending = 'pending',
  Delivered = 'delivered',
  Failed = 'failed',
}

/** A delivery's id, also its Standard Webhooks `webhook-id`: `msg_` + a 26-letter ULID. */
export const DELIVERY_ID_PATTERN = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;
export const DELIVERY_ID_EXAMPLE = 'msg_01KBKQ2W3Y8D5G7H9J0M1N2P3Q';
export const DELIVERY_PAGE_MAX = 100;

export class DeliveryIdParamsDto {
  @ApiProperty({ example: DELIVERY_ID_EXAMPLE, pattern: DELIVERY_ID_PATTERN.source })
  @Matches(DELIVERY_ID_PATTERN, { message: 'id must be a delivery id (msg_ + 26 letters)' })
  @IsString()
  readonly id!: string;
}

export class ListDeliveriesQueryDto {
  @ApiProperty({ enum: [DeliveryStatus.Failed, DeliveryStatus.Pending] })
  @IsIn([DeliveryStatus.Failed, DeliveryStatus.Pending], { message: 'status must be failed or pending' })
  readonly status!: DeliveryStatus.Failed | DeliveryStatus.Pending;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: DELIVERY_PAGE_MAX, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DELIVERY_PAGE_MAX)
  readonly limit?: number;

  @ApiPropertyOptional({
    pattern: DELIVERY_ID_PATTERN.source,
    description: 'nextCursor of the previous page: the deliveries after this id',
  })
  @Optional()
  @Matches(DELIVERY_ID_PATTERN, { message: 'after must be a delivery id' })
  @IsString()
  readonly after?: string;
}

/** One change notification as webhook-api keeps it (never the body or the secret). */
export class DeliveryDto {
  @ApiProperty({ example: DELIVERY_ID_EXAMPLE, description: 'Also the webhook-id header of every attempt' })
  readonly id!: string;

  @ApiProperty({ enum: DeliveryType, enumName: 'DeliveryType' })
  readonly type!: DeliveryType;

  @ApiProperty({ enum: DeliveryStatus, enumName: 'DeliveryStatus' })
  readonly status!: DeliveryStatus;

  @ApiProperty({ example: CALENDAR_ID_EXAMPLE, description: 'The connection' })
  readonly calendarId!: string;

  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'user@example.com' })
  readonly googleCalendarId!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'calendar.events.changed only' })
  readonly sequence!: number | null;

  @ApiProperty({ type: 'integer', description: 'Attempts since it was enqueued or last retried by hand' })
  readonly attempts!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readonly firstAttemptAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readonly nextAttemptAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readonly deliveredAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'HTTP 500' })
  readonly lastError!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 500 })
  readonly lastStatusCode!: number | null;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] })
  readonly items!: DeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last' })
  readonly nextCursor!: string | null;
}
