import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateBy, ValidateNested, ValidationArguments } from 'class-validator';
import { IsCalendarId, IsSubaccountId } from '../../common/identifier.decorators';
import { SUBACCOUNT_ID_EXAMPLE } from '../../common/identifiers';
import { Optional } from '../../common/optional';
import { AvailabilityRequestDto } from './availability.dto';
import { IsGoogleCalendarIds } from './free-busy.dto';

/** How many subaccounts one group availability request may name. */
export const MAX_GROUP_PARTICIPANTS = 20;
/** `required` when every participant must be free. */
export const EVERY_PARTICIPANT = 'all';
export type RequiredParticipants = typeof EVERY_PARTICIPANT | number;

/** One member of the group: a subaccount, and which of its Google calendars count (default `primary`). */
export class GroupAvailabilityParticipantDto {
  @IsSubaccountId()
  readonly subaccountId!: string;

  @IsGoogleCalendarIds()
  readonly googleCalendarIds?: string[];
}

/** A participant as database-api hands it to webhook-api: with the connection its connector names. */
export class ConnectedParticipantDto extends GroupAvailabilityParticipantDto {
  @IsCalendarId({ description: 'The connection of the subaccount at webhook-api (its connector’s calendarId)' })
  readonly calendarId!: string;
}

/** The participants' subaccount ids, lowercased (as IsSubaccountId leaves them); non-strings skipped. */
function subaccountIdsOf(participants: unknown): string[] {
  if (!Array.isArray(participants)) return [];
  return participants
    .map((participant: unknown) => (participant as { subaccountId?: unknown } | null)?.subaccountId)
    .filter((id): id is string => typeof id === 'string');
}

/** On `participants`: each subaccount at most once. */
function NamesEachSubaccountOnce(): PropertyDecorator {
  return ValidateBy({
    name: 'namesEachSubaccountOnce',
    validator: {
      validate: (value: unknown) => {
        const ids = subaccountIdsOf(value);
        return new Set(ids).size === ids.length;
      },
      defaultMessage: (args?: ValidationArguments) => {
        const seen = new Set<string>();
        const twice = subaccountIdsOf(args?.value).filter((id) => seen.has(id) || !seen.add(id));
        return `participants must name each subaccount once (named more than once: ${[...new Set(twice)].join(', ')})`;
      },
    },
  });
}

/** On `required`: `"all"`, or a whole number from 1 to the number of participants. */
function IsRequiredParticipants(): PropertyDecorator {
  const count = (args?: ValidationArguments): number | undefined => {
    const participants = (args?.object as { participants?: unknown } | undefined)?.participants;
    return Array.isArray(participants) ? participants.length : undefined;
  };
  return ValidateBy({
    name: 'isRequiredParticipants',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        if (value === EVERY_PARTICIPANT) return true;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return false;
        // Above MAX_GROUP_PARTICIPANTS it can never be met; otherwise judged against the list given.
        return value <= (count(args) ?? MAX_GROUP_PARTICIPANTS) && value <= MAX_GROUP_PARTICIPANTS;
      },
      defaultMessage: (args?: ValidationArguments) =>
        `required must be "all" or a whole number from 1 to the number of participants (${
          count(args) ?? `at most ${MAX_GROUP_PARTICIPANTS}`
        })`,
    },
  });
}

/** The documentation of `required` (one of two shapes). */
const REQUIRED_API: ApiPropertyOptions = {
  oneOf: [
    { type: 'string', enum: [EVERY_PARTICIPANT] },
    { type: 'integer', minimum: 1, maximum: MAX_GROUP_PARTICIPANTS },
  ],
  default: EVERY_PARTICIPANT,
  example: 2,
  description:
    'How many participants must be free for a slot to be listed: "all" (everyone), or n of them (1 to the number of participants)',
};

/**
 * database-api `POST /api/google-calendar/availability`: the single-calendar availability
 * rules (without `googleCalendarIds`) over several subaccounts' connections.
 */
export class GroupAvailabilityRequestDto extends OmitType(AvailabilityRequestDto, ['googleCalendarIds'] as const) {
  @ApiProperty({
    type: [GroupAvailabilityParticipantDto],
    minItems: 1,
    maxItems: MAX_GROUP_PARTICIPANTS,
    description: 'The subaccounts whose calendars are combined, each named once',
    example: [{ subaccountId: SUBACCOUNT_ID_EXAMPLE }, { subaccountId: '68cf05f060d294db17c0685f' }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_GROUP_PARTICIPANTS)
  @ValidateNested({ each: true })
  @Type(() => GroupAvailabilityParticipantDto)
  @NamesEachSubaccountOnce()
  readonly participants!: GroupAvailabilityParticipantDto[];

  @ApiPropertyOptional(REQUIRED_API)
  @Optional()
  @IsRequiredParticipants()
  readonly required?: RequiredParticipants;
}

/**
 * webhook-api `POST /api/google-calendar/availability`: the group request with each
 * participant's connection found (database-api resolves the connectors).
 */
export class ConnectedGroupAvailabilityRequestDto extends OmitType(GroupAvailabilityRequestDto, [
  'participants',
] as const) {
  @ApiProperty({
    type: [ConnectedParticipantDto],
    minItems: 1,
    maxItems: MAX_GROUP_PARTICIPANTS,
    description: 'The subaccounts whose calendars are combined, each named once, with their connections',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_GROUP_PARTICIPANTS)
  @ValidateNested({ each: true })
  @Type(() => ConnectedParticipantDto)
  @NamesEachSubaccountOnce()
  readonly participants!: ConnectedParticipantDto[];
}

/** A slot at least `required` participants are free for. */
export class GroupSlotDto {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-07T09:00:00+01:00' })
  readonly start!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-07T09:30:00+01:00' })
  readonly end!: string;

  @ApiProperty({
    type: [String],
    example: [SUBACCOUNT_ID_EXAMPLE],
    description: 'The participants free for the slot, in the order they were named',
  })
  readonly subaccountIds!: string[];
}

export class GroupAvailabilityResultDto {
  @ApiProperty({ example: 'Europe/Berlin' })
  readonly timeZone!: string;

  @ApiProperty({
    type: [GroupSlotDto],
    description: "Slots in start order, `start`/`end` in timeZone's offset at that instant",
  })
  readonly slots!: GroupSlotDto[];
}
