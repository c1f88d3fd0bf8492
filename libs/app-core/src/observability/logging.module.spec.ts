import { Logger as NestLogger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import pino from 'pino';
import { ServiceLogger, logAnswer } from './logging.module';

function answer(url: string, statusCode: number): [FastifyRequest, FastifyReply] {
  const request = { id: 'req-1', method: 'GET', url } as FastifyRequest;
  const reply = { statusCode, elapsedTime: 3.4, raw: { statusCode } } as unknown as FastifyReply;
  return [request, reply];
}

describe('logAnswer', () => {
  let lines: Record<string, unknown>[];
  const useLevel = (level: string) => {
    lines = [];
    const root = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    (PinoLogger as unknown as { root: pino.Logger }).root = root;
  };

  it('writes one line per answer, at the level its status calls for, with the request id', () => {
    useLevel('info');
    for (const [url, status] of [
      ['/api/connectors/x?y=1', 200],
      ['/api/nope', 404],
      ['/api/boom', 502],
    ] as const) {
      logAnswer(...answer(url, status), () => undefined);
    }
    expect(lines.map((l) => [l['level'], l['msg'], l['requestId'], l['responseTime']])).toEqual([
      [30, 'request completed', 'req-1', 3],
      [40, 'request completed', 'req-1', 3],
      [50, 'request completed', 'req-1', 3],
    ]);
  });

  it('skips probes, and what its level leaves out', () => {
    useLevel('warn');
    const done = jest.fn();
    logAnswer(...answer('/health/ready', 503), done);
    logAnswer(...answer('/metrics', 200), done);
    logAnswer(...answer('/api/connectors/x', 200), done);
    expect(lines).toEqual([]);
    expect(done).toHaveBeenCalledTimes(3);
  });
});

describe('ServiceLogger', () => {
  const lines: Record<string, unknown>[] = [];
  let pinoLogger: PinoLogger;

  beforeAll(() => {
    __resetOutOfContextForTests();
    pinoLogger = new PinoLogger({
      pinoHttp: [{ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }],
    });
    // As `app.useLogger` does: every Nest Logger writes through it.
    NestLogger.overrideLogger(new ServiceLogger(pinoLogger, {}));
  });

  afterAll(() => __resetOutOfContextForTests());

  /** What Nest itself logs while an app starts, through its Logger with these contexts. */
  function startUpLines(): void {
    lines.length = 0;
    new NestLogger('InstanceLoader').log('AppModule dependencies initialized');
    new NestLogger('RoutesResolver').log('ConnectorsController {/api/connectors}:');
    new NestLogger('RouterExplorer').log('Mapped {/api/connectors/:subaccountId, GET} route');
    new NestLogger('NestApplication').log('Nest application successfully started');
  }

  it('keeps route mapping and module wiring out of info (the default LOG_LEVEL)', () => {
    pinoLogger.logger.level = 'info';
    startUpLines();
    expect(lines.map((l) => [l['level'], l['context'], l['msg']])).toEqual([
      [30, 'NestApplication', 'Nest application successfully started'],
    ]);
  });

  it('writes them at debug, so LOG_LEVEL=debug shows every mapped route', () => {
    pinoLogger.logger.level = 'debug';
    startUpLines();
    expect(lines.map((l) => [l['level'], l['context'], l['msg']])).toEqual([
      [20, 'InstanceLoader', 'AppModule dependencies initialized'],
      [20, 'RoutesResolver', 'ConnectorsController {/api/connectors}:'],
      [20, 'RouterExplorer', 'Mapped {/api/connectors/:subaccountId, GET} route'],
      [30, 'NestApplication', 'Nest application successfully started'],
    ]);
  });
});
