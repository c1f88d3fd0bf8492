import { INestApplication } from '@nestjs/common';
import type { HttpAppOptions } from '@connector-service/app-core';
import { WebhookApiConfig } from './config/webhook-api.config';

/** The HTTP setup of webhook-api, shared by main.ts and the e2e tests. */
export function httpOptions(app: INestApplication): HttpAppOptions & { port: number } {
  return {
    port: app.get(WebhookApiConfig).PORT,
    title: 'webhook-api',
    description:
      'Google Calendar OAuth connect flow and connections; tells database-api the connection state through a durable outbox.',
    // database-api says how long it waits; the answer comes within that (504 GOOGLE_TIMEOUT at worst).
    requestDeadlines: true,
  };
}
