import { runApp } from '@connector-service/app-core';
import { AppModule } from './app.module';
import { reencryptTokensCommand } from './commands/reencrypt-tokens.command';
import { WebhookApiConfig } from './config/webhook-api.config';

if (process.argv[2] === 'reencrypt-tokens') {
  void reencryptTokensCommand();
} else {
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
}
