import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_TOKEN_SECURITY } from '@connector-service/service-auth';

export const USER_JWT_SECURITY = 'user-jwt';
export const MAX_BODY_SIZE = '1mb';

export interface HttpAppOptions {
  title: string;
  description: string;
  corsOrigins?: readonly string[];
}

/**
 * Everything about the HTTP surface that is not a route: the `/api` prefix (`/health`
 * stays at the root), the 1 MB JSON body limit, CORS, Swagger at `/api/docs` and
 * `/api/docs-json`, and shutdown hooks. Tests call it too, so they see production's app.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const expressApp = app as NestExpressApplication;
  expressApp.disable('x-powered-by');
  expressApp.useBodyParser('json', { limit: MAX_BODY_SIZE });
  app.setGlobalPrefix('api', { exclude: ['health'] });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.enableCors({ origin: [...options.corsOrigins], credentials: false });
  }
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(app, buildOpenApiConfig(options));
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
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
