import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import {
  CALENDAR_ID_EXAMPLE,
  CALENDAR_ID_PATTERN,
  CONNECTOR_ID_EXAMPLE,
  CONNECTOR_ID_PATTERN,
  SUBACCOUNT_ID_EXAMPLE,
  SUBACCOUNT_ID_PATTERN,
} from './identifiers';

export const SUBACCOUNT_ID_MESSAGE = 'subaccountId must be a 24-hex-digit id';
export const CONNECTOR_ID_MESSAGE = 'connectorId must be a lowercase slug (a-z, 0-9, "-"), at most 63 characters';
export const CALENDAR_ID_MESSAGE = 'calendarId must be a 24-hex-digit id';

/**
 * What a DTO may add to an identifier field's OpenAPI schema (`required: false` beside
 * `@Optional()`, a `default`, a `description`, or `example: undefined` to document none).
 * The type and pattern are always the rule's own, so document and validation cannot drift.
 */
export interface IdentifierApiOptions {
  readonly required?: boolean;
  readonly default?: string;
  readonly example?: string;
  readonly description?: string;
  readonly deprecated?: boolean;
}

/**
 * A subaccount id (24 hex digits), lowercased first so the stored form and the tenant
 * check see one spelling. Optional fields add `@Optional()` and `{ required: false }`.
 */
export function IsSubaccountId(api: IdentifierApiOptions = {}): PropertyDecorator {
  return identifier(SUBACCOUNT_ID_PATTERN, SUBACCOUNT_ID_MESSAGE, { example: SUBACCOUNT_ID_EXAMPLE, ...api }, [
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
  ]);
}

/** A connector id: a lowercase slug such as `google-calendar` (not lowercased for the caller). */
export function IsConnectorId(api: IdentifierApiOptions = {}): PropertyDecorator {
  return identifier(CONNECTOR_ID_PATTERN, CONNECTOR_ID_MESSAGE, { example: CONNECTOR_ID_EXAMPLE, ...api });
}

/** The id of a stored Google Calendar connection (24 hex digits). */
export function IsCalendarId(api: IdentifierApiOptions = {}): PropertyDecorator {
  return identifier(CALENDAR_ID_PATTERN, CALENDAR_ID_MESSAGE, { example: CALENDAR_ID_EXAMPLE, ...api });
}

function identifier(
  pattern: RegExp,
  message: string,
  api: IdentifierApiOptions,
  extra: PropertyDecorator[] = [],
): PropertyDecorator {
  // Applied in this order so a wrong value's messages read as they always have: the
  // rule first, then "must be a string" for a value that is not one.
  return applyDecorators(
    Matches(pattern, { message }),
    IsString(),
    ...extra,
    ApiProperty({ ...api, pattern: pattern.source }),
  );
}
