import { runApp } from '@connector-service/app-core';
import { AppModule } from './app.module';
import { DatabaseApiConfig } from './config/database-api.config';

void runApp({
  name: 'database-api',
  createModule: () => AppModule.forRoot(),
  http: (app) => {
    const config = app.get(DatabaseApiConfig);
    return {
      port: config.PORT,
      corsOrigins: config.CORS_ORIGINS,
      title: 'database-api',
      description:
        "Each subaccount's integration connectors and their metadata; proxies Google Calendar connection requests to webhook-api.",
    };
  },
});
