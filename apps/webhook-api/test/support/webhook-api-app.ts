import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import type { CommandStartedEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { HTTP_APP_OPTIONS, configureHttpApp, createHttpAdapter } from '@connector-service/app-core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getFreePort, testDatabaseUri } from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { httpOptions } from '../../src/http-options';

export const E2E_WEBHOOK_TOKEN = 'e2e-webhook-service-token-current';
/** What webhook-api presents to database-api (DATABASE_SERVER_SERVICE_TOKEN) unless a test sets another. */
export const E2E_DATABASE_TOKEN = 'e2e-database-service-token-000';

export interface WebhookApiUnderTest {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  mongoUri: string;
  close: () => Promise<void>;
}

/**
 * Boots webhook-api's real AppModule against a real Mongo-compatible server, in its own
 * database (or `env.MONGODB_URI`, to restart on the same data). The app reads exactly these
 * variables; `process.env` is neither read nor written. A variable set to undefined is unset.
 * `listenPort`: also listen there on loopback (supertest alone needs no port).
 */
export async function startWebhookApi(
  env: Record<string, string | undefined>,
  options: { listenPort?: number } = {},
): Promise<WebhookApiUnderTest> {
  const mongoUri = env['MONGODB_URI'] ?? testDatabaseUri('webhook_api');
  // Exactly these variables, never process.env: tests in one worker cannot leak config into each other.
  const appEnv = {
    MONGODB_URI: mongoUri,
    LOG_LEVEL: 'silent',
    DATABASE_SERVER_URL: 'http://127.0.0.1:9',
    DATABASE_SERVER_SERVICE_TOKEN: E2E_DATABASE_TOKEN,
    WEBHOOK_SERVER_SERVICE_TOKEN: E2E_WEBHOOK_TOKEN,
    GOOGLE_CLIENT_ID: 'e2e-client-id',
    GOOGLE_CLIENT_SECRET: 'e2e-client-secret',
    GOOGLE_OAUTH_AUTH_URL: 'http://127.0.0.1:9/o/oauth2/v2/auth',
    GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token',
    GOOGLE_OAUTH_REVOKE_URL: 'http://127.0.0.1:9/revoke',
    GOOGLE_API_ROOT_URL: 'http://127.0.0.1:9/',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAIL_FROM: 'Calendar Connector <noreply@example.test>',
    OUTBOUND_TIMEOUT_MS: '2000',
    ...env,
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ env: appEnv })] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), {
    ...HTTP_APP_OPTIONS,
    logger: ['error'],
  });
  configureHttpApp(app, httpOptions(app));
  // Listening only when something outside the test calls it (the sandbox's pushes).
  if (options.listenPort === undefined) {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } else await app.listen(options.listenPort, '127.0.0.1');
  return { app, http: () => request(app.getHttpServer()), mongoUri, close: () => app.close() };
}

/** A database of its own for the app, whose driver reports the app's commands (see recordCommands). */
export function monitoredDatabaseUri(): string {
  return `${testDatabaseUri('webhook_api')}?monitorCommands=true`;
}

/** Every command the app sends to the database from now on (it was started on monitoredDatabaseUri()). */
function recordCommands(api: WebhookApiUnderTest): CommandStartedEvent[] {
  const commands: CommandStartedEvent[] = [];
  api.app
    .get<Connection>(getConnectionToken())
    .getClient()
    .on('commandStarted', (event) => commands.push(event));
  return commands;
}

/**
 * The app on a database of its own (SMTP at a port nothing listens on), with every command it
 * sends to the database from its start on recorded (monitoredDatabaseUri, recordCommands).
 */
export async function startWebhookApiRecordingCommands(): Promise<{
  api: WebhookApiUnderTest;
  commands: CommandStartedEvent[];
}> {
  const api = await startWebhookApi({
    MONGODB_URI: monitoredDatabaseUri(),
    SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}`,
  });
  return { api, commands: recordCommands(api) };
}
