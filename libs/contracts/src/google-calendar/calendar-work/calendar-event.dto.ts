import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType, getSchemaPath } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
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

/** The platform's own keys on an event, kept at Google in `extendedProperties.private`. */
export type EventTags = Record<string, string>;
export const MAX_EVENT_TAGS = 10;
/** A tag key: 1–44 characters (Google's longest extended property key) of `A–Z a–z 0–9 _ -`. */
export const TAG_KEY_PATTERN = /^[A-Za-z0-9_-]{1,44}$/;
export const MAX_TAG_VALUE_LENGTH = 256;
/** `GET events?tag=key:value`: a tag key, a colon, the value (which may hold colons). */
export const TAG_FILTER_PATTERN = /^[A-Za-z0-9_-]{1,44}:[\s\S]{0,256}$/;

/** What is wrong with a `tags` value, or undefined when it is a valid tags object. */
export function eventTagsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'tags must be an object';
  const entries = Object.entries(value);
  if (entries.length > MAX_EVENT_TAGS) return `tags must have at most ${MAX_EVENT_TAGS} keys`;
  for (const [key, tag] of entries) {
    if (!TAG_KEY_PATTERN.test(key)) return `tag key ${JSON.stringify(key)} must be 1–44 characters of A–Z a–z 0–9 _ -`;
    if (typeof tag !== 'string') return `tag ${key} must be a string`;
    if (tag.length > MAX_TAG_VALUE_LENGTH) return `tag ${key} must be at most ${MAX_TAG_VALUE_LENGTH} characters`;
  }
  return undefined;
}

function IsEventTags(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isEventTags',
      validator: {
        validate: (value: unknown) => eventTagsProblem(value) === undefined,
        defaultMessage: (args) => eventTagsProblem(args?.value) ?? 'tags must be an object',
      },
    }),
    ApiPropertyOptional({
      type: 'object',
      // patternProperties, not propertyNames: OpenAPI 3.0's schema draft has no propertyNames.
      patternProperties: { [TAG_KEY_PATTERN.source]: { type: 'string', maxLength: MAX_TAG_VALUE_LENGTH } },
      additionalProperties: false,
      maxProperties: MAX_EVENT_TAGS,
      example: { bookingId: 'bk_42' },
      description:
        `Up to ${MAX_EVENT_TAGS} keys (1–44 characters of A–Z a–z 0–9 _ -) with string values (at most ` +
        `${MAX_TAG_VALUE_LENGTH} characters), kept at Google in the event's extendedProperties.private`,
    }),
  );
}

/** `word` in any case, without a regex flag (OpenAPI patterns take none): `[Rr][Rr][Uu][Ll][Ee]`. */
function anyCase(word: string): string {
  return [...word].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join('');
}
const RULE_PART = '[A-Za-z]+=[^;:\\s]+';
/**
 * One line of Google's `recurrence` (RFC 5545 names in any case): an RRULE / EXRULE with a
 * FREQ among its parts, or an RDATE / EXDATE list with optional parameters (`;TZID=…`).
 */
export const RECURRENCE_LINE_PATTERN = new RegExp(
  `^(?:(?:${anyCase('RRULE')}|${anyCase('EXRULE')}):(?:${RULE_PART};)*${anyCase('FREQ')}=[^;:\\s]+(?:;${RULE_PART})*` +
    `|(?:${anyCase('RDATE')}|${anyCase('EXDATE')})(?:;[A-Za-z-]+=[^;:\\s]+)*:[0-9A-Za-z,/]+)$`,
);
export const MAX_RECURRENCE_LINES = 100;
export const MAX_RECURRENCE_LINE_LENGTH = 2048;

/** What is wrong with a `recurrence` value's lines, or undefined (their shape only; Google judges the rest). */
export function recurrenceProblem(lines: unknown): string | undefined {
  if (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string')) return 'recurrence must be strings';
  const bad = lines.find((line: string) => !RECURRENCE_LINE_PATTERN.test(line));
  if (bad !== undefined) {
    return `recurrence line ${JSON.stringify(bad)} is not an RRULE or EXRULE with a FREQ, nor an RDATE or EXDATE line`;
  }
  if (!lines.some((line: string) => /^(RRULE|RDATE)[:;]/i.test(line))) {
    return 'recurrence needs an RRULE or RDATE line';
  }
  return undefined;
}

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

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: RECURRENCE_LINE_PATTERN.source, maxLength: MAX_RECURRENCE_LINE_LENGTH },
    minItems: 1,
    maxItems: MAX_RECURRENCE_LINES,
    example: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10'],
    description:
      "Makes a recurring series: Google's RFC 5545 lines (RRULE, EXRULE, RDATE, EXDATE). A start without timeZone " +
      "gets the calendar's. With requireFree, every occurrence in the next 365 days (at most 100) must be free.",
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECURRENCE_LINES)
  @IsString({ each: true })
  @MaxLength(MAX_RECURRENCE_LINE_LENGTH, { each: true })
  @ValidateBy({
    name: 'isRecurrence',
    validator: {
      validate: (value: unknown) => recurrenceProblem(value) === undefined,
      defaultMessage: (args) => recurrenceProblem(args?.value) ?? 'recurrence is not valid',
    },
  })
  readonly recurrence?: string[];

  @Optional()
  @IsEventTags()
  readonly tags?: EventTags;
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
    'tags',
  ] as const),
  // A field left out is unchanged; `null` is no value for any of them (400, not a change sent to Google).
  { skipNullProperties: false },
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

export const UPDATE_SCOPES = ['following'] as const;
export type UpdateScope = (typeof UPDATE_SCOPES)[number];

/** PATCH's query: the calendar, and `scope=following` to change an instance and every later one. */
export class UpdateEventQueryDto extends EventCalendarQueryDto {
  @ApiPropertyOptional({
    enum: UPDATE_SCOPES,
    description:
      'following: on an instance of a recurring event, change it and every later occurrence (the series is split ' +
      'as Google does; the answer is the new series). Without it a PATCH changes the one event it names.',
  })
  @Optional()
  @IsIn(UPDATE_SCOPES)
  readonly scope?: UpdateScope;
}

export const RESPONSE_STATUSES = ['accepted', 'declined', 'tentative'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

/** `POST events/:eventId/respond`: the connected account's answer to an invitation. */
export class RespondToEventDto {
  @ApiProperty({ enum: RESPONSE_STATUSES })
  @IsIn(RESPONSE_STATUSES)
  readonly responseStatus!: ResponseStatus;

  @ApiPropertyOptional({ maxLength: 1024, example: 'Running 5 minutes late' })
  @Optional()
  @IsString()
  @MaxLength(1024)
  readonly comment?: string;
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

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: TAG_FILTER_PATTERN.source },
    maxItems: MAX_EVENT_TAGS,
    example: ['bookingId:bk_42'],
    description: 'Only events carrying this tag, as key:value (repeatable: every one must match)',
  })
  @Optional()
  // One `tag=` arrives as a string, several as an array.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(MAX_EVENT_TAGS)
  @IsString({ each: true })
  @Matches(TAG_FILTER_PATTERN, {
    each: true,
    message: 'tag must be key:value (a key of 1–44 characters of A–Z a–z 0–9 _ -, a value of at most 256)',
  })
  readonly tag?: string[];

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

  @ApiPropertyOptional({
    example: 'needsAction',
    description: "Google's responseStatus: needsAction, declined, tentative or accepted",
  })
  readonly responseStatus?: string;

  @ApiPropertyOptional({ description: 'The attendee is the connected account (as Google marks it)' })
  readonly self?: boolean;

  @ApiPropertyOptional({ description: "The attendee is the event's organizer" })
  readonly organizer?: boolean;

  @ApiPropertyOptional({ description: "The attendee's comment on their answer" })
  readonly comment?: string;
}

/** Who organizes an event. */
export class EventOrganizerDto {
  @ApiProperty({ example: 'organizer@example.com' })
  readonly email!: string;

  @ApiPropertyOptional()
  readonly displayName?: string;

  @ApiPropertyOptional({ description: 'The organizer is the connected account (its own event, not an invitation)' })
  readonly self?: boolean;
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

  @ApiPropertyOptional({ type: EventOrganizerDto })
  readonly organizer?: EventOrganizerDto;

  @ApiProperty({ example: 'https://www.google.com/calendar/event?eid=...' })
  readonly htmlLink!: string;

  @ApiPropertyOptional({ example: 'https://meet.google.com/abc-defg-hij' })
  readonly meetLink?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      "A recurring series' rules (RRULE, EXDATE, ...), as Google keeps them: on a series (as created, read by its " +
      'id, or as a change delivery carries it unexpanded); listings answer its instances.',
    example: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
  })
  readonly recurrence?: string[];

  @ApiPropertyOptional({ description: 'Set on instances of a recurring event: the series id' })
  readonly recurringEventId?: string;

  @ApiPropertyOptional({
    type: EventTimeAnswerDto,
    description: 'Set on instances of a recurring event: the start the series gives it (kept when it is moved)',
  })
  readonly originalStartTime?: EventTimeAnswerDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { bookingId: 'bk_42' },
    description: "The event's tags (its extendedProperties.private); {} when none",
  })
  readonly tags!: EventTags;

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

/** An occurrence of a series, by its instants. */
export class OccurrenceDto {
  @ApiProperty({ type: String, format: 'date-time' })
  readonly start!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly end!: string;
}

/** The conflicting busy time of a `requireFree` create that answers 409 SLOT_TAKEN (error.details). */
export class SlotTakenDetailsDto {
  @ApiProperty({ type: String, format: 'date-time' })
  readonly start!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly end!: string;

  @ApiPropertyOptional({
    type: OccurrenceDto,
    description: 'A recurring create: the first occurrence that is not free (start and end above: the busy time)',
  })
  readonly occurrence?: OccurrenceDto;
}
