import { DynamicModule, INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError } from '../config/validate-config';
import { HttpAppOptions, configureHttpApp } from '../http/configure-http-app';

export interface RunAppOptions {
  name: string;
  /** Builds the root module; configuration is validated here, so it runs inside the guard. */
  createModule: () => DynamicModule;
  http: (app: INestApplication) => HttpAppOptions & { port: number };
}

/**
 * Starts an app, or exits non-zero with one clear message when its configuration is
 * incomplete (every missing or malformed variable named) or it cannot start.
 */
export async function runApp(options: RunAppOptions): Promise<INestApplication | undefined> {
  const logger = new Logger(options.name);
  try {
    const rootModule = options.createModule();
    const app = await NestFactory.create(rootModule, { bodyParser: false, abortOnError: false });
    const http = options.http(app);
    configureHttpApp(app, http);
    await app.listen(http.port);
    logger.log(`${options.name} listening on port ${http.port} (docs at /api/docs)`);
    return app;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${options.name} cannot start. ${error.message}\n`);
    } else {
      logger.error(`${options.name} failed to start`, error instanceof Error ? error.stack : String(error));
    }
    process.exitCode = 1;
    // Give loggers a moment to flush, then make sure nothing keeps the process alive.
    setTimeout(() => process.exit(1), 100).unref();
    return undefined;
  }
}
