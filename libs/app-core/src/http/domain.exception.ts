import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';

/**
 * An expected failure with a stable code; the exception filter turns it into the error
 * envelope with `status` (and `headers`, e.g. `Retry-After`). Features subclass it or
 * throw it with their own code.
 */
export class DomainException extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export class NotFoundDomainException extends DomainException {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(HttpStatus.NOT_FOUND, code, message, details);
  }
}
