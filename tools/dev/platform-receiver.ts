import { mkdirSync, writeFileSync } from 'node:fs';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { WORKSPACE_ROOT } from './dev-defaults';

/** Larger bodies are refused (413): webhook-api's deliveries are far smaller. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Events shown per console line; the file has them all. */
const EVENTS_SHOWN = 5;

/** A delivery whose signature verified, as the receiver kept it. */
export interface VerifiedDelivery {
  /** Its `webhook-id` (the same on every retry of one delivery). */
  readonly id: string | undefined;
  readonly receivedAt: Date;
  /** The body as verified by `standardwebhooks` (parsed JSON). */
  readonly payload: unknown;
  /** Where it was saved. */
  readonly file: string;
}

export interface PlatformReceiver {
  /** Where webhook-api delivers (PLATFORM_WEBHOOK_URL). */
  readonly url: string;
  /**
   * Calls `listener` with each verified delivery from now on, after it was saved and before it
   * is answered; a listener that throws is logged, never fails the delivery. Returns the unsubscribe.
   */
  onDelivery(listener: (delivery: VerifiedDelivery) => void): () => void;
  close(): Promise<void>;
}

/**
 * The platform's side of change notifications, for `npm start`: an HTTP server that verifies
 * each delivery with the `standardwebhooks` package and the `whsec_…` secret webhook-api signs
 * with, answers 204 (verified) or 401, prints one line per delivery and keeps each verified
 * one (headers and payload) as `<dir>/<timestamp>-<webhook-id>.json`; subscribers
 * (`onDelivery`, e.g. the demo page) are handed each verified one.
 */
export async function startPlatformReceiver(options: {
  /** 0: a free port (see `url`). */
  port: number;
  secret: string;
  dir: string;
  log?: (line: string) => void;
}): Promise<PlatformReceiver> {
  const { dir } = options;
  const log = options.log ?? ((line: string) => console.log(`[platform] ${line}`));
  const verifier = new Webhook(options.secret);
  const listeners = new Set<(delivery: VerifiedDelivery) => void>();
  mkdirSync(dir, { recursive: true });

  const server = createServer({ keepAliveTimeout: 1000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`${req.method ?? '?'} ${req.url ?? ''}: answered 500 (${(error as Error).message})`);
      send(res, 500);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      log(`${req.method ?? '?'} ${req.url ?? ''}: body over ${MAX_BODY_BYTES} bytes, answered 413`);
      return send(res, 413);
    }
    const id = header(req.headers, 'webhook-id');
    let payload: unknown;
    try {
      if (req.method !== 'POST') throw new Error(`${req.method ?? 'no'} method, only POST is taken`);
      payload = verifier.verify(body, {
        'webhook-id': id ?? '',
        'webhook-timestamp': header(req.headers, 'webhook-timestamp') ?? '',
        'webhook-signature': header(req.headers, 'webhook-signature') ?? '',
      });
    } catch (error) {
      log(`${headOf(id, lenientParse(body))} (unverified) — REFUSED 401: ${(error as Error).message}`);
      return send(res, 401);
    }
    const receivedAt = new Date();
    const file = join(dir, `${receivedAt.toISOString().replace(/[:.]/g, '-')}-${safeFileName(id ?? 'no-id')}.json`);
    writeFileSync(file, `${JSON.stringify({ receivedAt, headers: req.headers, payload }, null, 2)}\n`);
    log(`${describeDelivery(id, payload)} — signature verified, saved ${relative(WORKSPACE_ROOT, file)}`);
    const delivery: VerifiedDelivery = { id, receivedAt, payload, file };
    for (const listener of listeners) {
      try {
        listener(delivery);
      } catch (error) {
        log(`a delivery listener failed: ${(error as Error).message}`);
      }
    }
    send(res, 204);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Port 0 takes a free port: the URL names the one bound.
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    onDelivery: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => {
      listeners.clear();
      return closeServer(server);
    },
  };
}

/**
 * One delivery in a line: type, webhook-id, and for `calendar.events.changed` the sequence and
 * each event's id, status, summary and start; for `connection.status_changed` the statuses.
 */
export function describeDelivery(id: string | undefined, payload: unknown): string {
  const body = asRecord(payload);
  const data = asRecord(body?.['data']);
  const type = body?.['type'];
  const head = headOf(id, payload);
  if (type === 'calendar.events.changed') {
    const events = Array.isArray(data?.['events']) ? (data['events'] as unknown[]) : [];
    const shown = events.slice(0, EVENTS_SHOWN).map(describeEvent);
    if (events.length > EVENTS_SHOWN) shown.push(`+${events.length - EVENTS_SHOWN} more`);
    return `${head} seq ${String(data?.['sequence'] ?? '?')}: ${shown.join('; ') || 'no events'}`;
  }
  if (type === 'connection.status_changed') {
    return `${head}: ${String(data?.['status'] ?? '?')} (was ${String(data?.['previousStatus'] ?? null)})`;
  }
  return head;
}

/** Type and webhook-id only (all that is shown of a refused request). */
function headOf(id: string | undefined, payload: unknown): string {
  const type = asRecord(payload)?.['type'];
  return `${typeof type === 'string' ? type : '(unknown type)'} ${id ?? '(no webhook-id)'}`;
}

function describeEvent(value: unknown): string {
  const event = asRecord(value);
  const start = asRecord(event?.['start']);
  const when = start?.['dateTime'] ?? start?.['date'];
  return [
    String(event?.['id'] ?? '?'),
    String(event?.['status'] ?? '?'),
    typeof event?.['summary'] === 'string' ? JSON.stringify(event['summary']) : undefined,
    typeof when === 'string' ? when : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** The body of a refused request, for the log line only (never trusted). */
function lenientParse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The body as text, or undefined when it is over MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status).end();
}

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
}
