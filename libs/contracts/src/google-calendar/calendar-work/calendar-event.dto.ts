import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsTimeZone,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AtLeastOneField } from '../../common/at-least-one-field';
import { IsCalendarId, IsSubaccountId } from '../../common/identifier.decorators';
import { Optional } from '../../common/optional';
import { DATE_PATTERN, IsRangeEnd, IsRfc3339, RFC3339_PATTERN, isRealDate } from './time-rules';

/** Google event ids: base32hex letters and digits, plus `_` and upper case in instance ids (`<series>_20261207T090000Z`). */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,1024}$/;
export const SEND_UPDATES = ['all', 'externalOnly', 'none'] as const;
export type SendUpdates = (typeof SEND_UPDATES)[number];

/** A timed start or end, as documented (validation: EventTimeDto). */
export class EventDateTimeDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-12-07T09:00:00+01:00',
    pattern: RFC3339_PATTERN.source,
  })
  readonly dateTime!: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA zone the time is meant in (recurring events)' })
  readonly timeZone?: string;
}

/** An all-day start or end, as documented (validation: EventTimeDto). */
export class EventDateDto {
  @ApiProperty({ example: '2026-12-24', pattern: DATE_PATTERN.source, description: 'The end date is exclusive' })
  readonly date!: string;
}

/** Documents a start or end as one of `{ dateTime, timeZone? }` and `{ date }`. */
function ApiEventTime(example: object): PropertyDecorator {
  // Controllers that take it register both shapes with ApiExtraModels(EventDateTimeDto, EventDateDto).
  return ApiProperty({
    oneOf: [{ $ref: getSchemaPath(EventDateTimeDto) }, { $ref: getSchemaPath(EventDateDto) }],
    example,
  });
}

/** When an event starts or ends: `{ dateTime, timeZone? }`, or `{ date }` for an all-day event. */
export class EventTimeDto {
  @ValidateIf((time: EventTimeDto) => time.date === undefined)
  @IsRfc3339({ required: false })
  readonly dateTime?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA zone the time is meant in (recurring events)' })
  @Optional()
  @IsString()
  @IsTimeZone({ message: 'timeZone must be an IANA time zone such as Europe/Berlin' })
  readonly timeZone?: string;

  @ApiPropertyOptional({ example: '2026-12-24', description: 'All-day: the date (the end date is exclusive)' })
  // Judged when given (so "both" is refused) or when dateTime is missing too.
  @ValidateIf((time: EventTimeDto) => time.date !== undefined || time.dateTime === undefined)
  @IsString()
  @Matches(DATE_PATTERN, { message: 'date must be a date YYYY-MM-DD' })
  @ValidateBy({
    name: 'isRealDate',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isRealDate(value),
      defaultMessage: () => 'date must be a day that exists',
    },
  })
  @ValidateBy({
    name: 'notBothDateAndDateTime',
    validator: {
      validate: (_value: unknown, args) => (args?.object as EventTimeDto).dateTime === undefined,
      defaultMessage: () => 'give either dateTime or date, not both',
    },
  })
  readonly date?: string;
}

export class AttendeeDto {
  @ApiProperty({ example: 'guest@example.com', format: 'email', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'attendee email must be an e-mail address' })
  readonly email!: string;

  @ApiPropertyOptional({ default: false })
  @Optional()
  @IsBoolean()
  readonly optional?: boolean;
}

export class ConferenceRequestDto {
  @ApiProperty({ enum: ['google_meet'] })
  @IsIn(['google_meet'])
  readonly type!: 'google_meet';
}

/** The fields of an event the platform sets (create: summary, start, end required). */
export class CreateEventDto {
  @ApiPropertyOptional({ default: 'primary', minLength: 1, maxLength: 1024 })
  @Optional()
  @IsString()
  @Length(1, 1024)
  readonly googleCalendarId?: string;

  @ApiProperty({ example: 'Intro call', minLength: 1, maxLength: 1024 })
  @IsString()
  @Length(1, 1024)
  readonly summary!: string;

  @ApiPropertyOptional({ maxLength: 8192 })
  @Optional()
  @IsString()
  @MaxLength(8192)
  readonly description?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @Optional()
  @IsString()
  @MaxLength(1024)
  readonly location?: string;

  @ApiEventTime({ dateTime: '2026-12-07T09:00:00+01:00' })
  @IsObject()
  @ValidateNested()
  @Type(() => EventTimeDto)
  readonly start!: EventTimeDto;

  @ApiEventTime({ dateTime: '2026-12-07T09:30:00+01:00' })
  @IsObject()
  @ValidateNested()
  @Type(() => EventTimeDto)
  readonly end!: EventTimeDto;

  @ApiPropertyOptional({ type: [AttendeeDto], maxItems: 100 })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  readonly attendees?: AttendeeDto[];

  @ApiPropertyOptional({ type: ConferenceRequestDto, description: 'Adds a Google Meet link' })
  @Optional()
  @ValidateNested()
  @Type(() => ConferenceRequestDto)
  readonly conference?: ConferenceRequestDto;

  @ApiPropertyOptional({ enum: SEND_UPDATES, default: 'none', description: 'Whom Google e-mails about it' })
  @Optional()
  @IsIn(SEND_UPDATES)
  readonly sendUpdates?: SendUpdates;

  @ApiPropertyOptional({
    default: false,
    description: 'Create it only if its time overlaps nothing busy on that calendar (else 409 SLOT_TAKEN)',
  })
  @Optional()
  @IsBoolean()
  readonly requireFree?: boolean;
}

/** PATCH: only the given fields change; at least one must be given. */
@AtLeastOneField()
export class UpdateEventDto extends PartialType(
  PickType(CreateEventDto, [
    'summary',
    'description',
    'location',
    'start',
    'end',
    'attendees',
    'conference',
    'sendUpdates',
  ] as const),
) {}

export class EventCalendarQueryDto {
  @ApiPropertyOptional({ default: 'primary', minLength: 1, maxLength: 1024 })
  @Optional()
  @IsString()
  @Length(1, 1024)
  readonly googleCalendarId?: string;
}

export class CancelEventQueryDto extends EventCalendarQueryDto {
  @ApiPropertyOptional({ enum: SEND_UPDATES, default: 'none' })
  @Optional()
  @IsIn(SEND_UPDATES)
  readonly sendUpdates?: SendUpdates;
}

export class ListEventsQueryDto extends EventCalendarQueryDto {
  @Optional()
  @IsRfc3339({ required: false })
  readonly timeMin?: string;

  @Optional()
  @IsRfc3339({ required: false, example: '2026-12-12T00:00:00+01:00' })
  @IsRangeEnd()
  readonly timeMax?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 2048, description: 'nextPageToken of the previous page' })
  @Optional()
  @IsString()
  @Length(1, 2048)
  readonly pageToken?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 2500, default: 250 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2500)
  readonly maxResults?: number;
}

function IsEventId(): PropertyDecorator {
  return applyDecorators(
    Matches(EVENT_ID_PATTERN, { message: 'eventId must be a Google event id' }),
    IsString(),
    ApiProperty({ example: 'c5m6q8p1h0t4k2r3', pattern: EVENT_ID_PATTERN.source }),
  );
}

/** webhook-api: `/connections/:calendarId/events/:eventId`. */
export class ConnectionEventParamsDto {
  @IsCalendarId()
  readonly calendarId!: string;

  @IsEventId()
  readonly eventId!: string;
}

/** database-api: `/:subaccountId/google-calendar/events/:eventId`. */
export class SubaccountEventParamsDto {
  @IsSubaccountId()
  readonly subaccountId!: string;

  @IsEventId()
  readonly eventId!: string;
}

export class EventTimeAnswerDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-07T09:00:00+01:00' })
  readonly dateTime?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  readonly timeZone?: string;

  @ApiPropertyOptional({ example: '2026-12-24' })
  readonly date?: string;
}

export class EventAttendeeDto {
  @ApiProperty({ example: 'guest@example.com' })
  readonly email!: string;

  @ApiPropertyOptional()
  readonly optional?: boolean;

  @ApiPropertyOptional({ example: 'needsAction', description: "Google's responseStatus" })
  readonly responseStatus?: string;
}

/** An event as answered. */
export class CalendarEventDto {
  @ApiProperty({ example: 'c5m6q8p1h0t4k2r3' })
  readonly id!: string;

  @ApiProperty({ example: 'primary' })
  readonly googleCalendarId!: string;

  @ApiProperty({ example: 'confirmed', description: 'confirmed, tentative or cancelled' })
  readonly status!: string;

  @ApiProperty({ example: 'Intro call' })
  readonly summary!: string;

  @ApiPropertyOptional()
  readonly description?: string;

  @ApiPropertyOptional()
  readonly location?: string;

  @ApiProperty({ type: EventTimeAnswerDto })
  readonly start!: EventTimeAnswerDto;

  @ApiProperty({ type: EventTimeAnswerDto })
  readonly end!: EventTimeAnswerDto;

  @ApiProperty({ type: [EventAttendeeDto] })
  readonly attendees!: EventAttendeeDto[];

  @ApiProperty({ example: 'https://www.google.com/calendar/event?eid=...' })
  readonly htmlLink!: string;

  @ApiPropertyOptional({ example: 'https://meet.google.com/abc-defg-hij' })
  readonly meetLink?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      "A recurring series' rules (RRULE, EXDATE, ...), as Google keeps them. Only in change deliveries, which carry a series unexpanded; the event routes answer instances.",
    example: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
  })
  readonly recurrence?: string[];

  @ApiPropertyOptional({ description: 'Set on instances of a recurring event: the series id' })
  readonly recurringEventId?: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly created!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly updated!: string;
}

export class EventsPageDto {
  @ApiProperty({ type: [CalendarEventDto] })
  readonly items!: CalendarEventDto[];

  @ApiPropertyOptional({ description: 'Pass as pageToken for the next page' })
  readonly nextPageToken?: string;
}

/** What a cancel answers (also when the event was already cancelled or gone). */
export class CancelledEventDto {
  @ApiProperty()
  readonly id!: string;

  @ApiProperty({ example: 'primary' })
  readonly googleCalendarId!: string;

  @ApiProperty({ enum: ['cancelled'] })
  readonly status!: 'cancelled';
}

/** The conflicting busy time of a `requireFree` create that answers 409 SLOT_TAKEN (error.details). */
export class SlotTakenDetailsDto {
  @ApiProperty({ type: String, format: 'date-time' })
  readonly start!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly end!: string;
}
