import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HTTP_APP_OPTIONS, configureHttpApp, createHttpAdapter } from '@connector-service/app-core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mintUserJwt, testDatabaseUri } from '@connector-service/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { httpOptions } from '../../src/http-options';

export const E2E_JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef';
export const E2E_SERVICE_TOKEN = 'e2e-database-service-token-current';
export const E2E_ROTATED_SERVICE_TOKEN = 'e2e-database-service-token-previous';
export const E2E_WEBHOOK_TOKEN = 'e2e-webhook-service-token-000000';

export interface DatabaseApiUnderTest {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  mongoUri: string;
  userToken: (subaccountIds: string[], role?: string) => string;
  close: () => Promise<void>;
}

/**
 * Boots database-api's real AppModule (config validation, Mongoose, guards, pipes,
 * filter) against a real Mongo-compatible server, in a database of its own.
 */
export async function startDatabaseApi(env: Record<string, string | undefined> = {}): Promise<DatabaseApiUnderTest> {
  const mongoUri = env['MONGODB_URI'] ?? testDatabaseUri('database_api');
  // Exactly these variables, never process.env: tests in one worker cannot leak config into each other.
  const appEnv = {
    MONGODB_URI: mongoUri,
    LOG_LEVEL: 'silent',
    JWT_SECRET: E2E_JWT_SECRET,
    WEBHOOK_SERVER_URL: 'http://127.0.0.1:9',
    WEBHOOK_SERVER_SERVICE_TOKEN: E2E_WEBHOOK_TOKEN,
    DATABASE_SERVER_SERVICE_TOKEN: `${E2E_SERVICE_TOKEN},${E2E_ROTATED_SERVICE_TOKEN}`,
    ...env,
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ env: appEnv })] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), {
    ...HTTP_APP_OPTIONS,
    logger: ['error', 'warn'],
  });
  configureHttpApp(app, httpOptions(app));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    mongoUri,
    userToken: (subaccountIds, role) =>
      mintUserJwt(E2E_JWT_SECRET, { sub: 'user-1', subaccountIds, ...(role ? { role } : {}) }),
    close: () => app.close(),
  };
}
