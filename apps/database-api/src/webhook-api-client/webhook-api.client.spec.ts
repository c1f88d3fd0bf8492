import { HttpService } from '@nestjs/axios';
import { HttpStatus, Logger } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException, withRequestContext, withRequestId } from '@connector-service/app-core';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DatabaseApiConfig } from '../config/database-api.config';
import { WebhookApiClient, googleCalendarConnectionPath } from './webhook-api.client';

const TOKEN = 'webhook-token-for-the-client-spec';
const SUBACCOUNT = '68cf05f060d294db17c0685e';
const CALENDAR = '68cf06a160d294db17c06871';

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Before anything is sent. */
  delayMs?: number;
  /** Headers at once, then a JSON envelope a byte at a time. */
  trickle?: { everyMs: number; times: number };
}

/** A stand-in webhook-api on loopback that answers what the test says and records the request. */
describe('WebhookApiClient', () => {
  let server: Server;
  let answer: Answer;
  let seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[];
  let client: WebhookApiClient;
  let warn: jest.SpyInstance;
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        const current = answer;
        const reply = (): void => {
          if (response.destroyed) return;
          response.writeHead(current.status, { 'content-type': 'application/json', ...current.headers });
          const { trickle } = current;
          if (!trickle) return void response.end(JSON.stringify(current.body ?? {}));
          response.write('{"success":true,"data":"');
          let left = trickle.times;
          const drip = setInterval(() => {
            if (response.destroyed) return clearInterval(drip);
            response.write('x');
            if (--left > 0) return;
            clearInterval(drip);
            response.end('"}');
          }, trickle.everyMs);
          timers.add(drip);
        };
        if (current.delayMs) timers.add(setTimeout(reply, current.delayMs));
        else reply();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const config = {
      WEBHOOK_SERVER_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_SERVER_SERVICE_TOKEN: TOKEN,
      WEBHOOK_API_TIMEOUT_MS: 300,
    } as DatabaseApiConfig;
    client = new WebhookApiClient(new HttpService(), config);
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen = [];
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => warn.mockRestore());

  async function failure(): Promise<DomainException> {
    const error: unknown = await client.connectGoogleCalendar(SUBACCOUNT, 'user@example.com').then(
      () => new Error('the call succeeded'),
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof DomainException)) throw error;
    return error;
  }

  function errorEnvelope(code: unknown, message = 'what webhook-api said', details?: unknown): unknown {
    return { success: false, message, error: { code, ...(details === undefined ? {} : { details }) } };
  }

  it('sends the service token and the request id, and answers data and message', async () => {
    answer = {
      status: 200,
      body: {
        success: true,
        message: 'Link sent',
        data: { authUrl: 'https://x', userEmail: 'user@example.com', subaccountId: SUBACCOUNT, emailSent: true },
      },
    };
    const result = await withRequestId('req-123', () => client.connectGoogleCalendar(SUBACCOUNT, 'user@example.com'));
    expect(result).toEqual({
      status: 200,
      data: { authUrl: 'https://x', userEmail: 'user@example.com', subaccountId: SUBACCOUNT, emailSent: true },
      message: 'Link sent',
      headers: {},
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/google-calendar/connect' });
    expect(seen[0].headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].headers['x-request-id']).toBe('req-123');
    expect(JSON.parse(seen[0].body)).toEqual({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' });
    expect(seen[0].headers['idempotency-key']).toBeUndefined();
  });

  it('tells webhook-api how long it waits (X-Request-Timeout-Ms: what is left of WEBHOOK_API_TIMEOUT_MS)', async () => {
    answer = { status: 200, body: { success: true, data: {} } };
    await client.request({ method: 'GET', path: 'api/google-calendar/connections/x/calendars' });
    const announced = seen[0].headers['x-request-timeout-ms'];
    expect(announced).toMatch(/^\d+$/);
    // The client's whole wait is the only one, so nearly all of it is left when it sends.
    expect(Number(announced)).toBeLessThanOrEqual(300);
    expect(Number(announced)).toBeGreaterThan(200);
  });

  it('counts WEBHOOK_API_TIMEOUT_MS from the arrival of the request it serves, so its caller is answered within it', async () => {
    answer = { status: 200, body: { success: true, data: {} } };
    // The request being served arrived 150 ms ago (auth, reading the connector, a loaded machine).
    await withRequestContext({ requestId: 'req-late', receivedAt: Date.now() - 150 }, () =>
      client.request({ method: 'GET', path: 'api/google-calendar/connections/x/calendars' }),
    );
    const announced = Number(seen[0].headers['x-request-timeout-ms']);
    expect(announced).toBeLessThanOrEqual(150);
    expect(announced).toBeGreaterThan(50);
  });

  it('answers 504 UPSTREAM_TIMEOUT without calling when the request it serves has no time left', async () => {
    answer = { status: 200, body: { success: true, data: {} } };
    const error: unknown = await withRequestContext({ requestId: 'req-spent', receivedAt: Date.now() - 400 }, () =>
      client.request({ method: 'GET', path: 'api/google-calendar/connections/x/calendars' }),
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DomainException);
    expect({ status: (error as DomainException).status, code: (error as DomainException).code }).toEqual({
      status: HttpStatus.GATEWAY_TIMEOUT,
      code: ErrorCode.UpstreamTimeout,
    });
    expect(seen).toEqual([]);
  });

  it('sends a request with its query (undefined left out), body and Idempotency-Key, and answers status and headers', async () => {
    answer = {
      status: 201,
      body: { success: true, data: { id: 'e1' } },
      headers: { 'Idempotent-Replayed': 'true', 'X-Other': 'not forwarded' },
    };
    const result = await client.request({
      method: 'POST',
      path: googleCalendarConnectionPath(CALENDAR, 'events', 'a/b c'),
      query: { googleCalendarId: 'team@group.calendar.google.com', maxResults: 5, pageToken: undefined },
      body: { summary: 'x' },
      idempotencyKey: 'key-1',
    });
    expect(result).toEqual({ status: 201, data: { id: 'e1' }, headers: { 'Idempotent-Replayed': 'true' } });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: `/api/google-calendar/connections/${CALENDAR}/events/a%2Fb%20c?googleCalendarId=team%40group.calendar.google.com&maxResults=5`,
    });
    expect(seen[0].headers['idempotency-key']).toBe('key-1');
    expect(JSON.parse(seen[0].body)).toEqual({ summary: 'x' });
  });

  it('answers a 2xx without a success envelope as webhook-api failing: 502', async () => {
    answer = { status: 200, body: { data: 'no success flag' } };
    const error = await failure();
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.BAD_GATEWAY,
      code: ErrorCode.UpstreamUnavailable,
    });
  });

  // Every code of the shared list goes on as webhook-api said it, with its status.
  it.each(
    [
      HttpStatus.BAD_REQUEST,
      HttpStatus.FORBIDDEN,
      HttpStatus.NOT_FOUND,
      HttpStatus.CONFLICT,
      HttpStatus.UNPROCESSABLE_ENTITY,
      HttpStatus.TOO_MANY_REQUESTS,
    ].flatMap((status) => Object.values(ErrorCode).map((code) => [status, code] as const)),
  )('passes HTTP %i %s through unchanged', async (status, code) => {
    answer = { status, body: errorEnvelope(code, 'as said', { googleReason: 'x' }) };
    const error = await failure();
    expect({ status: error.status, code: error.code, message: error.message, details: error.details }).toEqual({
      status,
      code,
      message: 'as said',
      details: { googleReason: 'x' },
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('passes Retry-After of an error answer on, and drops a value unfit for a header', async () => {
    answer = { status: 429, body: errorEnvelope(ErrorCode.RateLimited), headers: { 'Retry-After': '12' } };
    expect((await failure()).headers).toEqual({ 'Retry-After': '12' });
    answer = { status: 429, body: errorEnvelope(ErrorCode.RateLimited), headers: { 'Retry-After': 'x'.repeat(300) } };
    expect((await failure()).headers).toBeUndefined();
  });

  it.each([
    [HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable],
    [HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout],
  ])('passes HTTP %i %s (Google failing, not webhook-api) through unchanged', async (status, code) => {
    answer = { status, body: errorEnvelope(code, 'Google said no', { googleStatus: 503 }) };
    const error = await failure();
    expect({ status: error.status, code: error.code, message: error.message, details: error.details }).toEqual({
      status,
      code,
      message: 'Google said no',
      details: { googleStatus: 503 },
    });
  });

  it.each([
    [HttpStatus.BAD_GATEWAY, ErrorCode.GoogleTimeout],
    [HttpStatus.BAD_GATEWAY, ErrorCode.UpstreamUnavailable],
    [HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleUnavailable],
    [HttpStatus.GATEWAY_TIMEOUT, ErrorCode.UpstreamTimeout],
    [HttpStatus.BAD_GATEWAY, undefined],
  ])('answers HTTP %i with %s (webhook-api failing) as 502 UPSTREAM_UNAVAILABLE', async (status, code) => {
    answer = { status, body: errorEnvelope(code) };
    const error = await failure();
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.BAD_GATEWAY,
      code: ErrorCode.UpstreamUnavailable,
    });
  });

  it.each([['SOMETHING_NEW'], ['not_found'], [''], [404], [null]])(
    'answers a code outside the shared list (%j) as webhook-api failing: 502, and logs it',
    async (code) => {
      answer = { status: HttpStatus.CONFLICT, body: errorEnvelope(code) };
      const error = await failure();
      expect({ status: error.status, code: error.code }).toEqual({
        status: HttpStatus.BAD_GATEWAY,
        code: ErrorCode.UpstreamUnavailable,
      });
      expect(warn).toHaveBeenCalled();
    },
  );

  it.each([HttpStatus.INTERNAL_SERVER_ERROR, HttpStatus.UNAUTHORIZED, HttpStatus.SERVICE_UNAVAILABLE])(
    'answers HTTP %i (not the caller’s doing) as 502 UPSTREAM_UNAVAILABLE, even with a known code',
    async (status) => {
      answer = { status, body: errorEnvelope(ErrorCode.NotFound) };
      const error = await failure();
      expect({ status: error.status, code: error.code }).toEqual({
        status: HttpStatus.BAD_GATEWAY,
        code: ErrorCode.UpstreamUnavailable,
      });
    },
  );

  it('answers 504 UPSTREAM_TIMEOUT when webhook-api trickles its answer past the timeout', async () => {
    // A byte every 100 ms keeps the socket busy (shorter than the 300 ms timeout each time),
    // so only a deadline on the whole call ends it.
    answer = { status: 200, trickle: { everyMs: 100, times: 15 } };
    const started = Date.now();
    const error = await failure();
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.GATEWAY_TIMEOUT,
      code: ErrorCode.UpstreamTimeout,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers 504 UPSTREAM_TIMEOUT when webhook-api does not answer in time', async () => {
    answer = { status: 200, body: { success: true, data: {} }, delayMs: 1000 };
    const error = await failure();
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.GATEWAY_TIMEOUT,
      code: ErrorCode.UpstreamTimeout,
    });
  });
});
