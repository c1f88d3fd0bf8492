import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsString, Length } from 'class-validator';
import { Optional } from '../../common/optional';
import { IsRangeEnd, IsRfc3339 } from './time-rules';

/** How many calendars one free/busy or availability request may name. */
export const MAX_CALENDARS_PER_REQUEST = 100;

/** Optional Google calendar ids (`primary`, an e-mail, `…@group.calendar.google.com`); default `["primary"]`. */
export function IsGoogleCalendarIds(): PropertyDecorator {
  return applyDecorators(
    Optional(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_CALENDARS_PER_REQUEST),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, 1024, { each: true }),
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 1024 },
      uniqueItems: true,
      default: ['primary'],
      example: ['primary'],
      description: 'Google calendar ids (`primary` is the account’s main calendar)',
      minItems: 1,
      maxItems: MAX_CALENDARS_PER_REQUEST,
    }),
  );
}

export class FreeBusyRequestDto {
  @IsRfc3339()
  readonly timeMin!: string;

  @IsRfc3339({ example: '2026-12-12T00:00:00+01:00' })
  @IsRangeEnd()
  readonly timeMax!: string;

  @IsGoogleCalendarIds()
  readonly googleCalendarIds?: string[];
}

/** A half-open interval [start, end) in UTC. */
export class TimeIntervalDto {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-07T10:00:00Z' })
  readonly start!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-07T11:00:00Z' })
  readonly end!: string;
}

export class CalendarBusyDto {
  @ApiProperty({ example: 'primary' })
  readonly googleCalendarId!: string;

  @ApiProperty({ type: [TimeIntervalDto] })
  readonly busy!: TimeIntervalDto[];

  @ApiPropertyOptional({
    example: 'notFound',
    description: "Google's reason when this calendar could not be read; the others still answer",
  })
  readonly error?: string;
}

export class FreeBusyResultDto {
  @ApiProperty({ type: String, format: 'date-time' })
  readonly timeMin!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly timeMax!: string;

  @ApiProperty({ type: [CalendarBusyDto] })
  readonly calendars!: CalendarBusyDto[];
}
