import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ErrorCode, ErrorEnvelope } from '@connector-service/contracts';
import type { Request, Response } from 'express';
import { currentRequestId } from '../observability/request-context';
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
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
};

/**
 * The one place errors become answers: domain exceptions keep their code, Nest's HTTP
 * exceptions get a code from their status, body-parser failures become 400/413, and
 * anything unexpected is logged with a correlation id and answered as a bare 500.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
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
      body.error.requestId = String(answer.details ?? '');
      delete body.error.details;
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
    response.status(answer.status).json(body);
  }

  private toAnswer(exception: unknown, request: Request): ErrorAnswer {
    if (exception instanceof DomainException) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        details: exception.details,
        ...(exception.headers ? { headers: exception.headers } : {}),
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    // Nest maps broken JSON to a 400 itself; a body over the limit arrives raw.
    const bodyParserAnswer = fromBodyParserError(exception);
    if (bodyParserAnswer) return bodyParserAnswer;

    const requestId = requestIdOf(request);
    this.logger.error(
      `Unhandled error on ${request.method} ${request.path} (request ${requestId})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.InternalError,
      message: 'Internal server error',
      details: requestId,
    };
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

/** body-parser errors carry `type` and `status`; never let them turn into a 500. */
function fromBodyParserError(exception: unknown): ErrorAnswer | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { type, status } = exception as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') {
    return {
      status: HttpStatus.PAYLOAD_TOO_LARGE,
      code: ErrorCode.PayloadTooLarge,
      message: 'The request body is too large',
    };
  }
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message: 'The request body could not be read' };
  }
  return null;
}

/** The id this request carries in every log line (set by requestContextMiddleware). */
function requestIdOf(request: Request): string {
  return (request as Request & { id?: string }).id ?? currentRequestId() ?? 'unknown';
}
