import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, ValidateBy, ValidationArguments, buildMessage } from 'class-validator';

/** RFC 3339 date-time with an offset (`Z` or `±HH:MM`), as Google's Calendar API takes it. */
export const RFC3339_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** A calendar date YYYY-MM-DD. */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Whether `YYYY-MM-DD…` names a day that exists (no 30 February). */
export function isRealDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}
/** The longest range a calendar route takes. */
export const MAX_RANGE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A date-time with an offset, e.g. `2026-12-07T09:00:00+01:00`. */
export function IsRfc3339(api: { description?: string; example?: string; required?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    Matches(RFC3339_PATTERN, { message: ({ property }) => `${property} must be an RFC 3339 date-time with an offset` }),
    ValidateBy({
      name: 'isRealInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && isRealDate(value) && !Number.isNaN(Date.parse(value)),
        defaultMessage: buildMessage((each) => `${each}$property must be a real date and time`),
      },
    }),
    IsString(),
    ApiProperty({ type: String, format: 'date-time', example: '2026-12-07T09:00:00+01:00', ...api }),
  );
}

/**
 * On `timeMax`: after `timeMin` (of the same object) and at most MAX_RANGE_DAYS later.
 * Only judged when both are real instants (their own rules say otherwise).
 */
export function IsRangeEnd(startProperty = 'timeMin'): PropertyDecorator {
  return ValidateBy({
    name: 'isRangeEnd',
    validator: {
      validate(value: unknown, args?: ValidationArguments) {
        const start = Date.parse(String((args?.object as Record<string, unknown>)[startProperty]));
        const end = Date.parse(String(value));
        if (Number.isNaN(start) || Number.isNaN(end)) return true;
        return end > start && end - start <= MAX_RANGE_DAYS * DAY_MS;
      },
      defaultMessage: () => `timeMax must be after ${startProperty} and at most ${MAX_RANGE_DAYS} days later`,
    },
  });
}
