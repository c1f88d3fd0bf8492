import { ExecutionContext, HttpStatus, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ErrorCode, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '@connector-service/contracts';
import type { FastifyRequest } from 'fastify';
import { DomainException } from './domain.exception';

/** The request's `Idempotency-Key` (1–255 visible ASCII characters), or undefined; anything else is a 400. */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new DomainException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.ValidationFailed,
      'Idempotency-Key must be 1–255 visible ASCII characters',
    );
  }
  return value;
});

/** Documents the optional `Idempotency-Key` header of a create route. */
export function ApiIdempotencyKey(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A retry with the same key and body answers the same event (Google holds one); the same key with another body is a 422. Kept at least 24 hours.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source },
    }),
  );
}
