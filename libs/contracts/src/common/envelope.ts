import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export class ErrorBodyDto {
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.ValidationFailed })
  readonly code!: string;

  @ApiPropertyOptional({ description: 'What exactly was wrong, e.g. the invalid fields' })
  readonly details?: unknown;

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
