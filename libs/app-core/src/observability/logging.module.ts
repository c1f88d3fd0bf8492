import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { currentRequestId } from './request-context';

export interface LoggingOptions {
  level: string;
}

/**
 * Structured JSON logs (pino) with the request id on every line, so one connection's
 * story can be followed across both services. Credentials never reach a log line:
 * authorization and cookie headers are redacted and URLs are logged without their query
 * (the OAuth callback's query carries the authorization code).
 */
@Module({})
export class LoggingModule {
  static forRootAsync<T>(configClass: new () => T, options: (config: T) => LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [configClass],
          useFactory: (config: T) => ({
            // nestjs-pino's default route is the legacy '*', which path-to-regexp 8 (Express 5)
            // no longer accepts: Nest then warns at every start and converts it. A named
            // wildcard is the same "every route" without the warning.
            forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: options(config).level,
              genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
              mixin: () => {
                const requestId = currentRequestId();
                return requestId ? { requestId } : {};
              },
              redact: {
                paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
                censor: '[redacted]',
              },
              serializers: {
                req: (req: { id?: string; method?: string; url?: string }) => ({
                  id: req.id,
                  method: req.method,
                  path: req.url?.split('?')[0],
                }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
              autoLogging: { ignore: (req: IncomingMessage) => isProbe(req.url) },
              customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, error?: Error) =>
                error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            },
          }),
        }),
      ],
    };
  }
}

function isProbe(url: string | undefined): boolean {
  const path = url?.split('?')[0] ?? '';
  return path === '/metrics' || path.startsWith('/health');
}
