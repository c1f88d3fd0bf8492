import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { Observable, throwError, timeout } from 'rxjs';
import { remainingMs } from '../observability/request-context';
import { DomainException } from './domain.exception';

/**
 * The answer when a request's deadline (`X-Request-Timeout-Ms`) ran out. Only webhook-api
 * takes deadlines, and all it waits on for a caller is Google (directly, or behind another
 * request for the same thing), so the contract names it 504 GOOGLE_TIMEOUT.
 */
export function requestDeadlineExceeded(): DomainException {
  return new DomainException(
    HttpStatus.GATEWAY_TIMEOUT,
    ErrorCode.GoogleTimeout,
    'Google did not answer within the time the caller waits (X-Request-Timeout-Ms)',
  );
}

/**
 * Answers at the request's deadline, if it has one: the handler's answer when it came in
 * time, else 504 GOOGLE_TIMEOUT. The handler's work is not cancelled by this (a promise
 * cannot be); what it would still start checks the deadline itself (GoogleApiClient starts
 * no Google call past it). Requests without a deadline are left alone.
 */
@Injectable()
export class RequestDeadlineInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const left = remainingMs();
    if (left === undefined) return next.handle();
    if (left <= 0) return throwError(requestDeadlineExceeded);
    return next.handle().pipe(timeout({ first: left, with: () => throwError(requestDeadlineExceeded) }));
  }
}
