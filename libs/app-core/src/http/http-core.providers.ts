import { Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { RequestDeadlineInterceptor } from './request-deadline.interceptor';
import { createValidationPipe } from './validation.pipe';

/**
 * Pipe, filter and interceptors registered as APP_* providers, so a testing module built
 * from an app module behaves exactly like production. The deadline interceptor acts only on
 * requests with a deadline (apps that take `X-Request-Timeout-Ms`, see configureHttpApp).
 */
export const httpCoreProviders: Provider[] = [
  { provide: APP_PIPE, useFactory: createValidationPipe },
  { provide: APP_FILTER, useClass: ApiExceptionFilter },
  { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
  { provide: APP_INTERCEPTOR, useClass: RequestDeadlineInterceptor },
];
