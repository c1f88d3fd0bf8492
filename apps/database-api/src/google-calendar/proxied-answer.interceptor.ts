import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { MessageResult } from '@connector-service/app-core';
import type { FastifyReply } from 'fastify';
import { Observable, map } from 'rxjs';
import type { WebhookApiAnswer } from '../webhook-api-client/webhook-api.client';

/** A controller result that is webhook-api's answer, to be answered to the SPA as it came. */
export class ProxiedAnswer<T> {
  constructor(readonly answer: WebhookApiAnswer<T>) {}
}

/**
 * Answers a ProxiedAnswer with webhook-api's status and forwarded headers
 * (`Idempotent-Replayed`), and its `data` and `message` for the envelope interceptor to
 * wrap, so the proxying controller stays free of the response object.
 */
@Injectable()
export class ProxiedAnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof ProxiedAnswer)) return result;
        const { status, data, message, headers } = (result as ProxiedAnswer<unknown>).answer;
        void context.switchToHttp().getResponse<FastifyReply>().status(status).headers(headers);
        return message === undefined ? data : new MessageResult(data, message);
      }),
    );
  }
}
