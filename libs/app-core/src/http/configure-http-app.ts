import { INestApplication, RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_TOKEN_SECURITY } from '@connector-service/service-auth';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { MetricsRegistry } from '../observability/http-metrics';
import { REQUEST_ID_HEADER, requestContextMiddleware } from '../observability/request-context';
import { addSharedSchemas, closeRequestBodySchemas, methodNotAllowed } from './openapi-rules';
import type { OpenAPIObject } from '@nestjs/swagger';

export const USER_JWT_SECURITY = 'user-jwt';
export const MAX_BODY_SIZE = '1mb';
const DOCS_PATH = 'api/docs';
/** What the SPA's origins may send: its JWT, JSON, a create's idempotency key, its own request id. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER];
/** What they may read: when to retry a 429, the request id for support, whether a create was a replay. */
const CORS_EXPOSED_HEADERS = ['Retry-After', REQUEST_ID_HEADER, 'Idempotent-Replayed'];

export interface HttpAppOptions {
  title: string;
  description: string;
  corsOrigins?: readonly string[];
}

/**
 * Everything about the HTTP surface that is not a route: request ids, metrics, security
 * headers, 405 for undocumented methods, the `/api` prefix (`/health` and `/metrics` stay
 * at the root), the 1 MB JSON body limit, CORS, and Swagger at `/api/docs` and
 * `/api/docs-json`.
 * Tests call it too, so they see production's app.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const expressApp = app as NestExpressApplication;
  expressApp.disable('x-powered-by');
  expressApp.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use(requestContextMiddleware);
  const metrics = app.get(MetricsRegistry, { strict: false });
  app.use(metrics.middleware);
  app.use(securityHeaders());
  // The document is built after the routes exist; the 405 rule reads it per request.
  const openApi: { document?: OpenAPIObject } = {};
  app.use(methodNotAllowed(() => openApi.document));
  expressApp.useBodyParser('json', { limit: MAX_BODY_SIZE });
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
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
    });
  }

  const document = SwaggerModule.createDocument(app, buildOpenApiConfig(options));
  addSharedSchemas(document);
  closeRequestBodySchemas(document);
  openApi.document = document;
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
}

/** helmet everywhere; Swagger UI's page needs its inline bootstrap script, so it gets a looser CSP. */
function securityHeaders(): (req: Request, res: Response, next: NextFunction) => void {
  const strict = helmet();
  const forDocs = helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'https:'],
        // Served over plain HTTP inside a network, the docs' assets must not be upgraded to https.
        'upgrade-insecure-requests': null,
      },
    },
  });
  return (req, res, next) => (req.path.startsWith(`/${DOCS_PATH}`) ? forDocs : strict)(req, res, next);
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
