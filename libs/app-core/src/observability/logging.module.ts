import { DynamicModule, Injectable, Module } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { currentRequestId } from './request-context';

/**
 * Nest's own start-up wiring, a line per module, controller and route (about 135 at each start
 * of the two apps): what was wired, not what happened, so debug.
 */
const NEST_WIRING_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * The apps' logger (`app.useLogger`): nestjs-pino's, with Nest's start-up wiring lines
 * ("Mapped {/api/..., GET} route" and the like) at debug instead of info, so a start at the
 * default LOG_LEVEL (info) prints what happened, and LOG_LEVEL=debug still shows every route.
 */
@Injectable()
export class ServiceLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    // Nest's Logger passes its context last.
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && NEST_WIRING_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

export interface LoggingOptions {
  level: string;
}

/**
 * Structured JSON logs (pino) with the request id on every line, so one connection's
 * story can be followed across both services. Credentials never reach a log line:
 * authorization and cookie headers are redacted and URLs are logged without their query
 * (the OAuth callback's query carries the authorization code).
 *
 * One line per answer comes from `logAnswer` (Fastify's onResponse), not from pino-http's
 * middleware: that made a child logger and bound it to every request (through Nest's
 * middleware layer) even at `warn`, where no such line is written, and the request id it
 * carried is on every line through the mixin anyway.
 */
@Module({})
export class LoggingModule {
  static forRootAsync<T>(configClass: new () => T, options: (config: T) => LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      providers: [ServiceLogger],
      exports: [ServiceLogger],
      imports: [
        LoggerModule.forRootAsync({
          inject: [configClass],
          useFactory: (config: T) => ({
            // No route gets pino-http's middleware: nestjs-pino only builds the root logger from it.
            forRoutes: [],
            pinoHttp: {
              level: options(config).level,
              mixin: () => {
                const requestId = currentRequestId();
                return requestId ? { requestId } : {};
              },
              redact: {
                paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
                censor: '[redacted]',
              },
              // After pino-http's own (which map Node's request and response): only what logAnswer means to say.
              serializers: {
                req: (req: { id?: string; method?: string; url?: string }) => ({
                  id: req.id,
                  method: req.method,
                  path: req.url?.split('?')[0],
                }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
            },
          }),
        }),
      ],
    };
  }
}

/**
 * The line for one answer (`request completed`, `{ requestId, req: { id, method, path }, res:
 * { statusCode }, responseTime }`), at error for 5xx, warn for 4xx, info otherwise; none for
 * probes, and nothing is built when the level is off.
 */
export function logAnswer(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  const logger = PinoLogger.root;
  if (logger?.isLevelEnabled(level)) {
    if (!isProbe(request.url.split('?')[0] ?? '')) {
      logger[level](
        {
          requestId: request.id,
          req: { id: request.id, method: request.method, url: request.url },
          res: reply.raw,
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
  }
  done();
}

function isProbe(path: string): boolean {
  return path === '/metrics' || path.startsWith('/health');
}
