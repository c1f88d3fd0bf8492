import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length } from 'class-validator';
import type { WatchEndedReason } from './deliveries/delivery-payloads';

/** At most this many calendars of one connection are watched. */
export const MAX_WATCHED_CALENDARS = 25;

export enum WatchedCalendarStatus {
  Active = 'active',
  /** Google no longer lets the account read it: no longer synced (a `calendar.watch_ended` was sent). */
  Ended = 'ended',
}

/** One calendar whose changes are delivered (CONTRACT.md, "Change notifications"). */
export class WatchedCalendarDto {
  @ApiProperty({
    example: 'user@example.com',
    description: "Google's own id of the calendar (the primary calendar by the account's e-mail)",
  })
  readonly googleCalendarId!: string;

  @ApiPropertyOptional({ example: 'Bookings' })
  readonly summary?: string;

  @ApiProperty({ enum: WatchedCalendarStatus, enumName: 'WatchedCalendarStatus' })
  readonly status!: WatchedCalendarStatus;

  @ApiPropertyOptional({ enum: ['not_found', 'forbidden', 'gone'], description: 'Why it ended' })
  readonly endedReason?: WatchEndedReason;
}

/** `PUT …/watched-calendars`: the whole list of calendars to watch. */
export class SetWatchedCalendarsDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_WATCHED_CALENDARS,
    example: ['primary', 'c_0123456789abcdef@group.calendar.google.com'],
    description: 'Calendars the account can read (`primary` names the main calendar); else 400 naming the others',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WATCHED_CALENDARS)
  @IsString({ each: true })
  @Length(1, 1024, { each: true })
  readonly googleCalendarIds!: string[];
}

/** The 400 of a `PUT …/watched-calendars` naming calendars the account cannot read (error.details). */
export class UnreadableCalendarsDetailsDto {
  @ApiProperty({ type: [String] })
  readonly unreadable!: string[];
}
