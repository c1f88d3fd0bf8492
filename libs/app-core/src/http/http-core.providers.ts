import { Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { createValidationPipe } from './validation.pipe';

/**
 * Pipe, filter and interceptor registered as APP_* providers, so a testing module built
 * from an app module behaves exactly like production.
 */
export const httpCoreProviders: Provider[] = [
  { provide: APP_PIPE, useFactory: createValidationPipe },
  { provide: APP_FILTER, useClass: ApiExceptionFilter },
  { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
];
