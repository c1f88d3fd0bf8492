import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

/** `{ success: true, data, message? }`: every successful JSON answer. */
export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  message?: string;
}

/** `{ success: false, message, error: { code, details? } }`: every error answer. */
export interface ErrorEnvelope {
  success: false;
  message: string;
  error: { code: string; details?: unknown; requestId?: string };
}

/** One invalid input field, as listed in `error.details` of a 400. */
export class ValidationIssueDto {
  @ApiProperty({ example: 'subaccountId' })
  readonly field!: string;

  @ApiProperty({ example: 'subaccountId must be a 24-hex-digit id' })
  readonly message!: string;
}

/** One calendar Google could not read, as listed in `error.details` of an availability's 404. */
export class UnreadableCalendarDto {
  @ApiProperty({ example: 'team@group.calendar.google.com' })
  readonly googleCalendarId!: string;

  @ApiProperty({ example: 'notFound', description: "Google's reason" })
  readonly error!: string;
}

@ApiExtraModels(ValidationIssueDto, UnreadableCalendarDto)
export class ErrorBodyDto {
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.ValidationFailed })
  readonly code!: string;

  @ApiPropertyOptional({
    description:
      'What exactly was wrong: the invalid fields of a 400, the calendars Google cannot read of an availability 404, ' +
      'or an object with specifics',
    oneOf: [
      { type: 'array', minItems: 1, items: { $ref: getSchemaPath(ValidationIssueDto) } },
      { type: 'array', minItems: 1, items: { $ref: getSchemaPath(UnreadableCalendarDto) } },
      { type: 'object', additionalProperties: true },
    ],
  })
  readonly details?: ValidationIssueDto[] | UnreadableCalendarDto[] | Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Correlation id of the request, for support' })
  readonly requestId?: string;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false] })
  readonly success!: false;

  @ApiProperty({ example: 'metadata must be an object' })
  readonly message!: string;

  @ApiProperty({ type: ErrorBodyDto })
  readonly error!: ErrorBodyDto;
}
