import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { SuccessEnvelope } from '@connector-service/contracts';
import { Observable, map } from 'rxjs';
import { MessageResult } from './message-result';

/** Wraps every successful JSON answer as `{ success: true, data, message? }`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((result: unknown) => toEnvelope(result)));
  }
}

function toEnvelope(result: unknown): SuccessEnvelope<unknown> {
  if (result instanceof MessageResult) {
    return { success: true, data: result.data, message: result.message };
  }
  return { success: true, data: result ?? null };
}
