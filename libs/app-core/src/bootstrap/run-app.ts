import { DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { ConfigValidationError } from '../config/validate-config';
import { HTTP_APP_OPTIONS, HttpAppOptions, configureHttpApp, createHttpAdapter } from '../http/configure-http-app';
import { ServiceLogger } from '../observability/logging.module';

export interface RunAppOptions {
  name: string;
  /** Builds the root module; configuration is validated here, so it runs inside the guard. */
  createModule: () => DynamicModule;
  http: (app: NestFastifyApplication) => HttpAppOptions & { port: number };
}

/**
 * Starts an app, or exits non-zero with one clear message when its configuration is
 * incomplete (every missing or malformed variable named) or it cannot start. On SIGTERM
 * Nest stops taking requests, finishes the ones in flight, then runs shutdown hooks
 * (e.g. the outbox worker finishing the item in hand).
 */
/**
 * SIGTERM/SIGINT: stop taking connections, let requests in flight finish, run shutdown
 * hooks (the outbox worker finishes the item in hand), then exit 0. A second signal, or
 * 25 s without finishing, exits at once.
 */
function stopGracefullyOnSignals(app: NestFastifyApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal} received: finishing in-flight work, then exiting`);
    setTimeout(() => process.exit(1), 25_000).unref();
    // Keep-alive connections that go idle after their last answer would otherwise hold the
    // server open until they time out.
    const server = app.getHttpServer() as Server;
    setInterval(() => server.closeIdleConnections(), 50).unref();
    app
      .close()
      .then(() => {
        logger.log('Shut down cleanly');
        process.exit(0);
      })
      .catch((error: Error) => {
        logger.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export async function runApp(options: RunAppOptions): Promise<NestFastifyApplication | undefined> {
  const logger = new Logger(options.name);
  try {
    const rootModule = options.createModule();
    const app = await NestFactory.create<NestFastifyApplication>(rootModule, createHttpAdapter(), {
      ...HTTP_APP_OPTIONS,
      abortOnError: false,
      bufferLogs: true,
    });
    app.useLogger(app.get(ServiceLogger));
    const http = options.http(app);
    configureHttpApp(app, http);
    await app.listen(http.port, '0.0.0.0');
    logger.log(`${options.name} listening on port ${http.port} (docs at /api/docs)`);
    stopGracefullyOnSignals(app, logger);
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
