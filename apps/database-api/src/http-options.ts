import { INestApplication } from '@nestjs/common';
import type { HttpAppOptions } from '@connector-service/app-core';
import { DatabaseApiConfig } from './config/database-api.config';

/** The HTTP setup of database-api, shared by main.ts and the e2e tests. */
export function httpOptions(app: INestApplication): HttpAppOptions & { port: number } {
  const config = app.get(DatabaseApiConfig);
  return {
    port: config.PORT,
    corsOrigins: config.CORS_ORIGINS,
    title: 'database-api',
    description:
      "Each subaccount's integration connectors and their metadata; proxies Google Calendar connection requests to webhook-api.",
  };
}
