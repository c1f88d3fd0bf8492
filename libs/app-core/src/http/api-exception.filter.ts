import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ErrorCode, ErrorEnvelope } from '@connector-service/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException } from './domain.exception';

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Readonly<Record<string, string>>;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.ValidationFailed,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthorized,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  // A body that is not JSON: as unreadable as broken JSON.
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.ValidationFailed,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
};

/**
 * The one place errors become answers: domain exceptions keep their code, Nest's HTTP
 * exceptions (Fastify's own too: a body over the limit, broken JSON) get a code from their
 * status, and anything unexpected is logged with a correlation id and answered as a bare 500.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = this.toAnswer(exception, request);
    const body: ErrorEnvelope = {
      success: false,
      message: answer.message,
      error: {
        code: answer.code,
        ...(answer.details === undefined ? {} : { details: answer.details }),
      },
    };
    if (answer.status >= 500 && answer.code === ErrorCode.InternalError) {
      // Whatever raised it (our code, Nest, Fastify): the id every log line of the request carries.
      body.error.requestId = request.id;
      delete body.error.details;
    }
    if (reply.sent) return;
    void reply
      .headers(answer.headers ?? {})
      .status(answer.status)
      .send(body);
  }

  private toAnswer(exception: unknown, request: FastifyRequest): ErrorAnswer {
    if (exception instanceof DomainException) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        details: exception.details,
        ...(exception.headers ? { headers: exception.headers } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const answer = fromHttpException(exception);
      if (answer.code === ErrorCode.InternalError) this.logUnexpected(exception, request);
      return answer;
    }
    this.logUnexpected(exception, request);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.InternalError,
      message: 'Internal server error',
    };
  }

  private logUnexpected(exception: unknown, request: FastifyRequest): void {
    this.logger.error(
      `Unhandled error on ${request.method} ${request.url.split('?')[0]} (request ${request.id})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
  }
}

function fromHttpException(exception: HttpException): ErrorAnswer {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.InternalError : `HTTP_${status}`);
  if (typeof response === 'object' && response !== null) {
    const { message, details } = response as { message?: unknown; details?: unknown };
    if (Array.isArray(message)) {
      return { status, code, message: message.join('; '), details: details ?? message };
    }
    if (typeof message === 'string') return { status, code, message, details };
  }
  return { status, code, message: exception.message };
}
