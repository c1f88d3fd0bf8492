import { HttpService } from '@nestjs/axios';
import { HttpStatus, Logger } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException, withRequestId } from '@connector-service/app-core';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DatabaseApiConfig } from '../config/database-api.config';
import { WebhookApiClient } from './webhook-api.client';

const TOKEN = 'webhook-token-for-the-client-spec';
const SUBACCOUNT = '68cf05f060d294db17c0685e';

interface Answer {
  status: number;
  body?: unknown;
  delayMs?: number;
}

/** A stand-in webhook-api on loopback that answers what the test says and records the request. */
describe('WebhookApiClient', () => {
  let server: Server;
  let answer: Answer;
  let seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[];
  let client: WebhookApiClient;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        const reply = (): void => {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer.body ?? {}));
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
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
      data: { authUrl: 'https://x', userEmail: 'user@example.com', subaccountId: SUBACCOUNT, emailSent: true },
      message: 'Link sent',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/google-calendar/connect' });
    expect(seen[0].headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].headers['x-request-id']).toBe('req-123');
    expect(JSON.parse(seen[0].body)).toEqual({ subaccountId: SUBACCOUNT, userEmail: 'user@example.com' });
  });

  // Every code of the shared list goes on as webhook-api said it, with its status.
  it.each(
    [HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS].flatMap(
      (status) => Object.values(ErrorCode).map((code) => [status, code] as const),
    ),
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

  it('answers 504 UPSTREAM_TIMEOUT when webhook-api does not answer in time', async () => {
    answer = { status: 200, body: { success: true, data: {} }, delayMs: 1000 };
    const error = await failure();
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.GATEWAY_TIMEOUT,
      code: ErrorCode.UpstreamTimeout,
    });
  });
});
