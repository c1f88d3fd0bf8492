import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AwaitedLog } from './awaited-log';

/** One request the receiver took. */
export interface ReceivedWebhook {
  /** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers as sent. */
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw body, as signed. */
  body: string;
  /** The parsed body when the signature verified; undefined otherwise. */
  payload: unknown;
  /** `new Webhook(secret).verify(body, headers)` passed. */
  verified: boolean;
  /** Why verification failed, when it did. */
  verifyError?: string;
  /** What the receiver answered (0: it never answered, the request hung). */
  status: number;
  at: Date;
}

/** Which requests an answer override applies to (by their verified payload). */
export type WebhookMatcher = (payload: unknown) => boolean;

interface Override {
  status: number | 'hang';
  remaining: number;
  until: number;
  match?: WebhookMatcher;
}

/**
 * A real HTTP server as a platform would run it for Standard Webhooks deliveries: each
 * request is verified with the `standardwebhooks` package (refused 401 when the signature,
 * id or timestamp is wrong), recorded, and answered 204, or what it was told to answer for
 * a while (500, a hang) for all or for matching deliveries.
 */
export class WebhookReceiver {
  readonly url: string;

  private readonly verifier: Webhook;
  private readonly overrides: Override[] = [];
  private readonly log = new AwaitedLog<ReceivedWebhook>('webhook');
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    secret: string,
  ) {
    this.verifier = new Webhook(secret);
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => send(res, 500));
    });
  }

  /** Listens on a free loopback port; `secret`: the `whsec_…` secret deliveries are signed with. */
  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer({ keepAliveTimeout: 1000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new WebhookReceiver(server, secret);
  }

  /**
   * Verified deliveries (matching `match`, default all) are answered `status` ('hang': never
   * answered) for the next `times` of them and/or for `forMs` milliseconds, whichever ends first.
   */
  answer(status: number | 'hang', options: { times?: number; forMs?: number; match?: WebhookMatcher } = {}): void {
    this.overrides.push({
      status,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      until: options.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.forMs,
      match: options.match,
    });
  }

  /** Back to answering 204 to every verified delivery. */
  heal(): void {
    this.overrides.length = 0;
  }

  /** Verified requests answered 2xx: what the platform has taken. */
  get delivered(): ReceivedWebhook[] {
    return this.requests.filter((r) => r.verified && r.status >= 200 && r.status < 300);
  }

  /** Every request taken, oldest first (also the refused ones). The same array for the receiver's life. */
  get requests(): ReceivedWebhook[] {
    return this.log.entries;
  }

  /** The first request (taken already or still to come) matching the predicate. */
  waitFor(predicate: (r: ReceivedWebhook) => boolean, timeoutMs = 5000): Promise<ReceivedWebhook> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  async close(): Promise<void> {
    this.log.close('WebhookReceiver closed while waiting');
    for (const res of this.hanging) res.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const entry: ReceivedWebhook = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body,
      payload: undefined,
      verified: false,
      status: 0,
      at: new Date(),
    };
    try {
      entry.payload = this.verifier.verify(body, {
        'webhook-id': entry.id ?? '',
        'webhook-timestamp': entry.timestamp ?? '',
        'webhook-signature': entry.signature ?? '',
      });
      entry.verified = true;
    } catch (error) {
      entry.verifyError = (error as Error).message;
    }
    if (req.method !== 'POST' || !entry.verified) return this.record(entry, res, 401);

    const override = this.overrideFor(entry.payload);
    if (override?.status === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return this.record(entry, res, 0);
    }
    this.record(entry, res, override?.status ?? 204);
  }

  private overrideFor(payload: unknown): Override | undefined {
    const now = Date.now();
    for (const override of this.overrides) {
      if (override.remaining <= 0 || override.until <= now) continue;
      if (override.match && !override.match(payload)) continue;
      override.remaining -= 1;
      return override;
    }
    return undefined;
  }

  private record(entry: ReceivedWebhook, res: ServerResponse, status: number): void {
    entry.status = status;
    this.log.add(entry);
    if (status !== 0) send(res, status);
  }
}

function send(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status).end();
}
