import { runApp } from '@connector-service/app-core';
import { AppModule } from './app.module';
import { reencryptTokensCommand } from './commands/reencrypt-tokens.command';
import { httpOptions } from './http-options';

if (process.argv[2] === 'reencrypt-tokens') {
  void reencryptTokensCommand();
} else {
  void runApp({ name: 'webhook-api', createModule: () => AppModule.forRoot(), http: httpOptions });
}
