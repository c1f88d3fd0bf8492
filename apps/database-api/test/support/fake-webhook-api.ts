import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request as webhook-api would have received it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or undefined when there was none. */
  body: unknown;
}

/** What the stand-in answers next: JSON `body` with `status` and `headers`, after `delayMs`. */
export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeWebhookApi {
  url: string;
  /** Every request received since the last reset, in order. */
  requests: RecordedRequest[];
  /** Answers every following request so (until the next call or reset). */
  answerWith(answer: ScriptedAnswer): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_ANSWER: ScriptedAnswer = { status: 200, body: { success: true, data: {} } };

/**
 * A real HTTP server on loopback standing in for webhook-api: it records what
 * database-api sends (method, path, query, headers, body) and answers what the test says.
 */
export async function startFakeWebhookApi(): Promise<FakeWebhookApi> {
  let answer = DEFAULT_ANSWER;
  const requests: RecordedRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      const query: Record<string, string | string[]> = {};
      for (const name of new Set(url.searchParams.keys())) {
        const values = url.searchParams.getAll(name);
        query[name] = values.length === 1 ? values[0] : values;
      }
      requests.push({
        method: request.method ?? '',
        path: url.pathname,
        query,
        headers: request.headers,
        body: raw.length > 0 ? JSON.parse(raw) : undefined,
      });
      const current = answer;
      const reply = (): void => {
        if (response.destroyed) return;
        response.writeHead(current.status, { 'content-type': 'application/json', ...current.headers });
        response.end(JSON.stringify(current.body ?? {}));
      };
      if (!current.delayMs) return reply();
      const timer = setTimeout(() => {
        pending.delete(timer);
        reply();
      }, current.delayMs);
      pending.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerWith: (next) => void (answer = next),
    reset: () => {
      answer = DEFAULT_ANSWER;
      requests.length = 0;
    },
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
