import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildUiElements } from '@connector-service/ui-elements/build';
import type { PlatformReceiver, VerifiedDelivery } from './platform-receiver';

/**
 * The demo page of `npm start` (http://localhost:3000): the SPA kit's two elements
 * (`<calendar-connect>`, `<calendar-slot-picker>`) wired to the local database-api with the
 * local JWT and subaccount, and a panel that shows, live, the webhooks the local platform
 * receiver verified. A plain node:http server for local development only: it binds to
 * loopback, answers only requests addressed to a loopback host (a page from elsewhere cannot
 * DNS-rebind its way to the JWT in it), and sends a Content-Security-Policy that lets the page
 * run its own scripts and call database-api, nothing else.
 *
 * Routes: `/` the page, `/ui-elements.js` the elements' bundle (built with buildUiElements at
 * start), `/demo-page.js` and `/demo-page.css` the page's own script and style, `/events` the
 * webhooks as Server-Sent Events.
 */

const PAGE_DIR = join(__dirname, 'demo-page');
/** Deliveries kept for a page opened (or an EventSource reconnecting) later. */
const BACKLOG = 100;
/** Events of one delivery sent to the page; a full resync can carry hundreds. */
const EVENTS_SENT = 20;
/** A comment line this often keeps idle streams open through proxies and shows a dead one. */
const HEARTBEAT_MS = 15_000;
/** How long the browser waits before it reconnects a dropped stream. */
const RECONNECT_MS = 2_000;

/** Where the webhooks shown come from. */
export type DemoWebhooks =
  /** The local platform receiver: its verified deliveries are streamed to the page. */
  | { receiver: Pick<PlatformReceiver, 'onDelivery'> }
  /** They go to another receiver (PLATFORM_WEBHOOK_URL, shown as given: redact it first). */
  | { elsewhere: string };

export interface DemoPageOptions {
  /** 0: a free port (see `url`). */
  port: number;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** database-api's base URL as the browser reaches it, e.g. http://localhost:3002. */
  databaseApiUrl: string;
  /** A user JWT for `subaccountId`. */
  token: string;
  subaccountId: string;
  webhooks: DemoWebhooks;
  /** Whose consent page the connect button opens, for the page's text. Default 'sandbox'. */
  google?: 'sandbox' | 'real';
  /** Where the elements' bundle is written (buildUiElements' default when not given). */
  bundleFile?: string;
}

export interface DemoPage {
  /** `http://localhost:<port>`: the origin database-api's CORS_ORIGINS must list. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What the page gets of one verified delivery (a summary, not the whole payload). */
export interface DemoDelivery {
  /** This server's stream (a restarted server starts another), and the position in it: together the SSE id. */
  stream: string;
  seq: number;
  webhookId: string | null;
  receivedAt: string;
  type: string;
  subaccountId: string | null;
  calendarId: string | null;
  googleCalendarId: string | null;
  /** calendar.events.changed */
  sequence: number | null;
  events: { id: string; status: string; summary: string | null; start: string | null }[];
  moreEvents: number;
  /** connection.status_changed */
  status: string | null;
  previousStatus: string | null;
  /** calendar.watch_ended */
  reason: string | null;
}

/** What the page's script reads from the page (a JSON block in it). */
export interface DemoPageConfig {
  databaseApiUrl: string;
  token: string;
  subaccountId: string;
  google: 'sandbox' | 'real';
  /** null: the local receiver streams to /events; else where the webhooks go instead. */
  webhooksElsewhere: string | null;
}

interface Asset {
  body: Buffer;
  contentType: string;
}

export async function startDemoPage(options: DemoPageOptions): Promise<DemoPage> {
  const host = options.host ?? '127.0.0.1';
  const apiOrigin = new URL(options.databaseApiUrl).origin;
  const config: DemoPageConfig = {
    databaseApiUrl: options.databaseApiUrl.replace(/\/+$/, ''),
    token: options.token,
    subaccountId: options.subaccountId,
    google: options.google ?? 'sandbox',
    webhooksElsewhere: 'elsewhere' in options.webhooks ? options.webhooks.elsewhere : null,
  };
  const [bundleFile, script] = await Promise.all([buildUiElements(options.bundleFile), buildPageScript()]);
  const assets = new Map<string, Asset>([
    ['/', { body: Buffer.from(renderPage(config)), contentType: 'text/html; charset=utf-8' }],
    ['/ui-elements.js', { body: readFileSync(bundleFile), contentType: 'text/javascript; charset=utf-8' }],
    ['/demo-page.js', { body: script, contentType: 'text/javascript; charset=utf-8' }],
    ['/demo-page.css', { body: readFileSync(join(PAGE_DIR, 'demo-page.css')), contentType: 'text/css; charset=utf-8' }],
    ['/favicon.svg', { body: readFileSync(join(PAGE_DIR, 'favicon.svg')), contentType: 'image/svg+xml' }],
  ]);
  // The bundle names its source map; a browser's developer tools ask for it.
  if (existsSync(`${bundleFile}.map`)) {
    assets.set('/ui-elements.js.map', { body: readFileSync(`${bundleFile}.map`), contentType: 'application/json' });
  }
  const headers = securityHeaders(apiOrigin);

  const stream = new DeliveryStream();
  const unsubscribe = 'receiver' in options.webhooks ? options.webhooks.receiver.onDelivery(stream.add) : undefined;

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  let port = options.port;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (!isLoopbackHost(req.headers.host, port)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Open this page at http://localhost\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/events' && req.method === 'GET' && config.webhooksElsewhere === null) {
      stream.subscribe(req, res);
      return;
    }
    const asset = assets.get(path === '/index.html' ? '/' : path);
    if (asset === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end('Not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': asset.body.length,
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribe?.();
    stream.close();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: async () => {
      unsubscribe?.();
      stream.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The verified deliveries as Server-Sent Events (`event: delivery`, `id:` its position): a
 * stream opened later starts with the backlog, one that reconnects (`Last-Event-ID`) with what
 * it missed.
 */
class DeliveryStream {
  private readonly id = randomBytes(6).toString('hex');
  private readonly backlog: DemoDelivery[] = [];
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private seq = 0;

  constructor() {
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  readonly add = (delivery: VerifiedDelivery): void => {
    this.seq += 1;
    const item = summarize(this.id, this.seq, delivery);
    this.backlog.push(item);
    if (this.backlog.length > BACKLOG) this.backlog.shift();
    this.write(message(item));
  };

  subscribe(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    // A reconnect to this very stream gets what it missed; a new page, or one that saw an earlier server, everything.
    const [stream, seq] = String(req.headers['last-event-id'] ?? '').split(':');
    const lastSeen = stream === this.id ? Number(seq) : Number.NaN;
    const missed = Number.isInteger(lastSeen) ? this.backlog.filter((d) => d.seq > lastSeen) : this.backlog;
    res.write(`retry: ${RECONNECT_MS}\n\n${missed.map(message).join('')}`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }
}

function message(item: DemoDelivery): string {
  return `id: ${item.stream}:${item.seq}\nevent: delivery\ndata: ${JSON.stringify(item)}\n\n`;
}

/** The fields the panel shows, read defensively (the payload is verified, not trusted to be well-formed). */
export function summarize(stream: string, seq: number, delivery: VerifiedDelivery): DemoDelivery {
  const body = record(delivery.payload);
  const data = record(body['data']);
  const events = Array.isArray(data['events']) ? (data['events'] as unknown[]) : [];
  return {
    stream,
    seq,
    webhookId: delivery.id ?? null,
    receivedAt: delivery.receivedAt.toISOString(),
    type: text(body['type']) ?? '(unknown type)',
    subaccountId: text(data['subaccountId']),
    calendarId: text(data['calendarId']),
    googleCalendarId: text(data['googleCalendarId']),
    sequence: typeof data['sequence'] === 'number' ? data['sequence'] : null,
    events: events.slice(0, EVENTS_SENT).map((value) => {
      const event = record(value);
      const start = record(event['start']);
      return {
        id: text(event['id']) ?? '?',
        status: text(event['status']) ?? '?',
        summary: text(event['summary']),
        start: text(start['dateTime']) ?? text(start['date']),
      };
    }),
    moreEvents: Math.max(0, events.length - EVENTS_SENT),
    status: text(data['status']),
    previousStatus: text(data['previousStatus']),
    reason: text(data['reason']),
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The page with its configuration in a JSON block (not executed, so the CSP needs no inline script). */
export function renderPage(config: DemoPageConfig): string {
  const template = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  // Inside <script> only `<` (as in `</script>`) and the JS line separators can break out.
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return template.replace('{{config}}', () => json);
}

/** The page's own script, bundled in memory from demo-page/demo-page.browser.ts. */
async function buildPageScript(): Promise<Buffer> {
  const result = await build({
    entryPoints: [join(PAGE_DIR, 'demo-page.browser.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no demo page script');
  return Buffer.from(output.contents);
}

/**
 * Scripts, styles and images from this server only; requests to itself and to database-api;
 * no frames, forms, plugins or base URL. The page links to the consent page and the Meet link,
 * which are navigations the policy does not govern.
 */
function securityHeaders(apiOrigin: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // The page carries a JWT: never cached.
    'Cache-Control': 'no-store',
  };
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host !== undefined && [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}
