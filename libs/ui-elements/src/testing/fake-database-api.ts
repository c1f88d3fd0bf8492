import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAnswer, SeenRequest } from './browser-harness';

/**
 * A real HTTP server on a free loopback port standing in for database-api, so the plain modules'
 * specs run the typed client and fetch for real. `handler` answers each request.
 */
export class FakeDatabaseApi {
  readonly seen: SeenRequest[] = [];
  handler: (request: SeenRequest) => FakeAnswer = (request) => ({
    status: 404,
    body: { success: false, message: `No route ${request.method} ${request.path}`, error: { code: 'NOT_FOUND' } },
  });

  private readonly server: Server = createServer((request, response) => {
    void this.read(request).then((seen) => {
      this.seen.push(seen);
      const answer = this.handler(seen);
      if (answer === 'abort') {
        // No answer at all: the client sees a network failure.
        request.socket.destroy();
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private async read(request: IncomingMessage): Promise<SeenRequest> {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    return {
      method: request.method ?? '',
      path: request.url ?? '',
      headers,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    };
  }
}
