import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError } from '@connector-service/app-core';
import { AppModule } from '../app.module';
import { TokenRotationService } from '../connections/token-rotation.service';

/**
 * `node dist/apps/webhook-api/main.js reencrypt-tokens`: after putting a new key first in
 * TOKEN_ENCRYPTION_KEY (old keys after it), re-encrypts every stored token under the new
 * key; then the old keys can be removed.
 */
export async function reencryptTokensCommand(): Promise<void> {
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    const result = await app.get(TokenRotationService).reencryptAll();
    process.stdout.write(`Re-encrypted ${result.reencrypted} token(s) in ${result.scanned} connection(s).\n`);
    await app.close();
  } catch (error) {
    if (error instanceof ConfigValidationError)
      process.stderr.write(`reencrypt-tokens cannot start. ${error.message}\n`);
    else new Logger('reencrypt-tokens').error((error as Error).stack ?? String(error));
    process.exitCode = 1;
  }
}
