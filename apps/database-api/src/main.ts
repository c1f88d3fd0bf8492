import { runApp } from '@connector-service/app-core';
import { AppModule } from './app.module';
import { httpOptions } from './http-options';

void runApp({ name: 'database-api', createModule: () => AppModule.forRoot(), http: httpOptions });
