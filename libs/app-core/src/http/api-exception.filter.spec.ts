import { ArgumentsHost, HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { ApiExceptionFilter } from './api-exception.filter';
import { DomainException } from './domain.exception';

interface Answer {
  status?: number;
  body?: unknown;
  headers: Record<string, string>;
}

function hostFor(request: object): { host: ArgumentsHost; answer: Answer } {
  const answer: Answer = { headers: {} };
  // The parts of a Fastify reply the filter uses.
  const response = {
    sent: false,
    headers(values: Record<string, string>) {
      Object.assign(answer.headers, values);
      return this;
    },
    status(code: number) {
      answer.status = code;
      return this;
    },
    send: (body: unknown) => void (answer.body = body),
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  return { host, answer };
}

describe('ApiExceptionFilter', () => {
  const filter = new ApiExceptionFilter();
  jest.spyOn(filter['logger'], 'error').mockImplementation(() => undefined);

  it("answers an unexpected error with the request's own id, not a new one", () => {
    // The id Fastify's genReqId made (no x-request-id header was sent): every log line has it.
    const { host, answer } = hostFor({ id: 'req-made-by-middleware', method: 'GET', url: '/x', headers: {} });
    filter.catch(new Error('boom'), host);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({
      success: false,
      message: 'Internal server error',
      error: { code: ErrorCode.InternalError, requestId: 'req-made-by-middleware' },
    });
  });

  it.each([
    ['a Nest HTTP exception', new ServiceUnavailableException('down')],
    ['a bare HttpException', new HttpException('gateway broke', HttpStatus.INTERNAL_SERVER_ERROR)],
    ['a domain exception without details', new DomainException(500, ErrorCode.InternalError, 'broke')],
  ])('carries the request id on a non-domain 5xx too (%s)', (_what, exception) => {
    const { host, answer } = hostFor({ id: 'req-42', method: 'GET', url: '/x', headers: {} });
    filter.catch(exception, host);
    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.body).toMatchObject({
      success: false,
      error: { code: ErrorCode.InternalError, requestId: 'req-42' },
    });
  });

  it("sets a domain exception's headers (Retry-After) beside its envelope", () => {
    const { host, answer } = hostFor({ id: 'r1', method: 'GET', url: '/x', headers: {} });
    filter.catch(
      new DomainException(HttpStatus.TOO_MANY_REQUESTS, ErrorCode.RateLimited, 'slow down', undefined, {
        'Retry-After': '4',
      }),
      host,
    );
    expect(answer.status).toBe(429);
    expect(answer.headers).toEqual({ 'Retry-After': '4' });
    expect(answer.body).toEqual({ success: false, message: 'slow down', error: { code: ErrorCode.RateLimited } });
  });
});
