import { runApp } from '@connector-service/app-core';
import { AppModule } from './app.module';
import { WebhookApiConfig } from './config/webhook-api.config';

void runApp({
  name: 'webhook-api',
  createModule: () => AppModule.forRoot(),
  http: (app) => ({
    port: app.get(WebhookApiConfig).PORT,
    title: 'webhook-api',
    description:
      'Google Calendar OAuth connect flow and connections; tells database-api the connection state through a durable outbox.',
  }),
});
