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

@ApiExtraModels(ValidationIssueDto)
export class ErrorBodyDto {
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.ValidationFailed })
  readonly code!: string;

  @ApiPropertyOptional({
    description: 'What exactly was wrong: the invalid fields of a 400, or an object with specifics',
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(ValidationIssueDto) } },
      { type: 'object', additionalProperties: true },
    ],
  })
  readonly details?: ValidationIssueDto[] | Record<string, unknown>;

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
