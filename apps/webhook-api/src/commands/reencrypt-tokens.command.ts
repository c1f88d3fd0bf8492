import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError } from '@connector-service/app-core';
import { AppModule } from '../app.module';
import { KeyRotationService } from './key-rotation.service';

/**
 * `node dist/apps/webhook-api/main.js reencrypt-tokens`: after putting a new key first in
 * TOKEN_ENCRYPTION_KEY (old keys after it), re-seals everything stored under an older key
 * (Google tokens, PKCE verifiers of pending consent links) with the new one; then the old
 * keys can be removed.
 */
export async function reencryptTokensCommand(): Promise<void> {
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    const { connections, consentLinks } = await app.get(KeyRotationService).resealAll();
    process.stdout.write(
      `Re-encrypted ${connections.resealed} token(s) in ${connections.scanned} connection(s) and ` +
        `${consentLinks.resealed} PKCE verifier(s) of ${consentLinks.scanned} pending consent link(s).\n`,
    );
    await app.close();
  } catch (error) {
    if (error instanceof ConfigValidationError)
      process.stderr.write(`reencrypt-tokens cannot start. ${error.message}\n`);
    else new Logger('reencrypt-tokens').error((error as Error).stack ?? String(error));
    process.exitCode = 1;
  }
}
