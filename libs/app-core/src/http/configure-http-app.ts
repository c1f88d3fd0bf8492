import { RequestMethod } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_TOKEN_SECURITY } from '@connector-service/service-auth';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { MetricsRegistry } from '../observability/http-metrics';
import { logAnswer } from '../observability/logging.module';
import {
  REQUEST_ID_HEADER,
  incomingDeadline,
  incomingRequestId,
  withRequestContext,
} from '../observability/request-context';
import { securityHeaders } from './security-headers';
import {
  addSharedSchemas,
  closeRequestBodySchemas,
  disallowedMethodRule,
  methodNotAllowedBody,
  documentHeadersTooLarge,
  requireSomeFieldOfBodies,
} from './openapi-rules';

export const USER_JWT_SECURITY = 'user-jwt';
export const MAX_BODY_BYTES = 1024 * 1024;
const DOCS_PATH = 'api/docs';
/** What the SPA's origins may send: its JWT, JSON, a create's idempotency key, its own request id. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER];
/** What they may call: the methods of the documented routes. */
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];
/** What they may read: when to retry a 429, the request id for support, whether a create was a replay. */
const CORS_EXPOSED_HEADERS = ['Retry-After', REQUEST_ID_HEADER, 'Idempotent-Replayed'];
/** helmet's headers on every answer. */
const SECURITY_HEADERS = securityHeaders();
/** Swagger UI's page needs its inline bootstrap script; served over plain HTTP inside a network, its assets must not be upgraded. */
const DOCS_SECURITY_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    directives: {
      'script-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'https:'],
      'upgrade-insecure-requests': null,
    },
  },
});

export interface HttpAppOptions {
  title: string;
  description: string;
  corsOrigins?: readonly string[];
  /**
   * Take the caller's `X-Request-Timeout-Ms` as the request's deadline (for a service whose
   * caller is another service that gives up after that long): see incomingDeadline and
   * RequestDeadlineInterceptor.
   */
  requestDeadlines?: boolean;
}

/** Nest's options for an app on createHttpAdapter(): the adapter's JSON parser is the only one. */
export const HTTP_APP_OPTIONS = { bodyParser: false } as const;

/**
 * The HTTP server both apps run on (Fastify): JSON bodies up to 1 MB (413 beyond; an empty
 * one is `{}`, as before on Express), request ids (the caller's `x-request-id` when sane),
 * proxies trusted on private networks only, `/x/` the same route as `/x`, and path
 * parameters as long as a Google event id may be. Create the app with HTTP_APP_OPTIONS.
 */
export function createHttpAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    genReqId: incomingRequestId,
    requestIdHeader: false,
    trustProxy: 'loopback,linklocal,uniquelocal',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // Nest's pino logger does the logging; Fastify's own stays silent.
    logger: false,
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, {}) : parseJson(request, body as string, done),
  );
  return adapter;
}

/** What Node's HTTP parser refuses before any request exists, by Node's error code. */
const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: ErrorCode.HeadersTooLarge,
    message: 'The request line and headers are over 16 KiB (a URL that long is not an address of this API)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: ErrorCode.RequestTimeout,
    message: 'The request did not arrive in time',
  },
};
const MALFORMED_REQUEST = { status: 400, code: ErrorCode.ValidationFailed, message: 'Malformed HTTP request' };

/**
 * Node answers a request it cannot parse (headers or URL over its limit, broken HTTP) on
 * the socket, before Fastify or Nest see a request, so neither the filter nor the hooks
 * run. This writes that answer in the envelope, with a request id, instead of Fastify's
 * own JSON; the connection is then closed, as Node does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED_REQUEST;
  const body = JSON.stringify({ success: false, message, error: { code } });
  if (socket.writable) {
    socket.write(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `${REQUEST_ID_HEADER}: ${randomUUID()}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy(error);
}

/**
 * Everything about the HTTP surface that is not a route: request ids (and deadlines, with
 * `requestDeadlines`), metrics, a log line per answer, helmet's security headers, 405 for
 * undocumented methods, the `/api` prefix (`/health` and `/metrics` stay at the root), CORS,
 * and Swagger at `/api/docs` and `/api/docs-json`.
 * Tests call it too, so they see production's app.
 */
export function configureHttpApp(app: NestFastifyApplication, options: HttpAppOptions): void {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsRegistry, { strict: false });
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/*path', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...options.corsOrigins],
      credentials: false,
      // Joined as the cors package did (`a,b`), not as @fastify/cors joins a list (`a, b`).
      methods: CORS_METHODS.join(','),
      allowedHeaders: CORS_ALLOWED_HEADERS.join(','),
      exposedHeaders: CORS_EXPOSED_HEADERS.join(','),
    });
  }

  const document = SwaggerModule.createDocument(app, buildOpenApiConfig(options));
  addSharedSchemas(document);
  closeRequestBodySchemas(document);
  requireSomeFieldOfBodies(document);
  documentHeadersTooLarge(document);
  const disallowed = disallowedMethodRule(document);
  // When each request arrived (before its body is read) and, counted from then as the caller
  // counts, its deadline.
  const arrivals = new WeakMap<FastifyRequest, { receivedAt: number; deadline?: number }>();

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const receivedAt = Date.now();
    const deadline = options.requestDeadlines ? incomingDeadline(request.raw, receivedAt) : undefined;
    arrivals.set(request, deadline === undefined ? { receivedAt } : { receivedAt, deadline });
    const docs = request.url.startsWith(`/${DOCS_PATH}`);
    void reply.headers(docs ? DOCS_SECURITY_HEADERS : SECURITY_HEADERS).header(REQUEST_ID_HEADER, request.id);
    if (request.is404) {
      const allowed = disallowed(request.method, request.url.split('?')[0] as string);
      if (allowed) {
        void reply.status(405).header('Allow', allowed.join(', ')).send(methodNotAllowedBody(request.method, allowed));
        return;
      }
    }
    done();
  });
  // The request's context for everything its handler does (after the body was read, which
  // happens outside any request's async context): its id, arrival, and deadline if it has one.
  fastify.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) =>
    withRequestContext({ requestId: request.id, ...arrivals.get(request) }, done),
  );
  fastify.addHook('onResponse', metrics.onResponse);
  fastify.addHook('onResponse', logAnswer);

  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
}

export function buildOpenApiConfig(options: HttpAppOptions) {
  return new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, USER_JWT_SECURITY)
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, SERVICE_TOKEN_SECURITY)
    .build();
}
