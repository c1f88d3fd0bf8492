import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  IsTimeZone,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { Optional } from '../../common/optional';
import { IsGoogleCalendarIds, TimeIntervalDto } from './free-busy.dto';
import { IsRangeEnd, IsRfc3339 } from './time-rules';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Wall-clock time of day: 00:00–23:59, and 24:00 as the end of the day. */
const TIME_OF_DAY = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** One weekly window of bookable local time; `end` after `start` (a window does not cross midnight). */
export class WorkingHoursDto {
  @ApiProperty({
    enum: WEEKDAYS,
    isArray: true,
    minItems: 1,
    maxItems: 7,
    uniqueItems: true,
    example: ['mon', 'tue', 'wed', 'thu', 'fri'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true })
  readonly days!: Weekday[];

  @ApiProperty({ example: '09:00', pattern: TIME_OF_DAY.source })
  @IsString()
  @Matches(TIME_OF_DAY, { message: 'start must be a time of day HH:MM' })
  readonly start!: string;

  @ApiProperty({ example: '17:00', pattern: TIME_OF_DAY.source })
  @IsString()
  @Matches(TIME_OF_DAY, { message: 'end must be a time of day HH:MM (24:00 for midnight)' })
  @ValidateBy({
    name: 'isAfterStart',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value !== 'string' || String((args?.object as WorkingHoursDto).start) < value,
      defaultMessage: () => 'end must be after start (windows do not cross midnight; split them)',
    },
  })
  readonly end!: string;
}

/** An optional whole number of minutes in [min, max]. */
function Minutes(
  min: number,
  max: number,
  description: string,
  example: number,
  byDefault?: number,
): PropertyDecorator {
  return applyDecorators(
    Optional(),
    IsInt(),
    Min(min),
    Max(max),
    ApiPropertyOptional({
      type: 'integer',
      example,
      minimum: min,
      maximum: max,
      ...(byDefault === undefined ? {} : { default: byDefault }),
      description,
    }),
  );
}

export class AvailabilityRequestDto {
  @IsRfc3339({ example: '2026-12-07T00:00:00Z' })
  readonly timeMin!: string;

  @IsRfc3339({ example: '2026-12-12T00:00:00Z' })
  @IsRangeEnd()
  readonly timeMax!: string;

  @ApiProperty({ type: 'integer', example: 30, minimum: 5, maximum: 1440 })
  @IsInt()
  @Min(5)
  @Max(1440)
  readonly durationMinutes!: number;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone of the working hours and of the answer' })
  @IsString()
  @IsTimeZone({ message: 'timeZone must be an IANA time zone such as Europe/Berlin' })
  readonly timeZone!: string;

  @ApiPropertyOptional({
    type: [WorkingHoursDto],
    minItems: 1,
    maxItems: 21,
    description: 'Without it the whole range is open',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(21)
  @ValidateNested({ each: true })
  @Type(() => WorkingHoursDto)
  readonly workingHours?: WorkingHoursDto[];

  @Minutes(5, 1440, 'Slots start every this many minutes from the window start (default: the duration)', 30)
  readonly slotStepMinutes?: number;

  @Minutes(0, 1440, 'Free time needed before a slot', 0, 0)
  readonly bufferBeforeMinutes?: number;

  @Minutes(0, 1440, 'Free time needed after a slot', 0, 0)
  readonly bufferAfterMinutes?: number;

  @Minutes(0, 525_600, 'No slot starts earlier than now plus this', 0, 0)
  readonly minNoticeMinutes?: number;

  @IsGoogleCalendarIds()
  readonly googleCalendarIds?: string[];
}

export class AvailabilityResultDto {
  @ApiProperty({ example: 'Europe/Berlin' })
  readonly timeZone!: string;

  @ApiProperty({
    type: [TimeIntervalDto],
    description: "Bookable slots, `start`/`end` in timeZone's offset at that instant",
    example: [{ start: '2026-12-07T09:00:00+01:00', end: '2026-12-07T09:30:00+01:00' }],
  })
  readonly slots!: TimeIntervalDto[];
}
