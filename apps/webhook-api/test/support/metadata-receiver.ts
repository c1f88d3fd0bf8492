import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AwaitedLog } from '@connector-service/testing';

/** The body webhook-api sends to database-api's `POST /api/connectors/:subaccountId/metadata/update`. */
export interface MetadataUpdateBody {
  connectorId?: string;
  metadata: Record<string, unknown>;
  version?: number;
  /** Versions are compared only with one of the same scope (database-api's rule). */
  versionScope?: string;
}

/** One request the receiver took, with what it answered. */
export interface ReceivedMetadataUpdate {
  subaccountId: string;
  /** The Authorization header matched `Bearer <DATABASE_SERVER_SERVICE_TOKEN>`. */
  authorized: boolean;
  requestId: string | undefined;
  body: MetadataUpdateBody;
  /** The status the receiver answered. */
  status: number;
  at: Date;
}

interface Override {
  status: number;
  remaining: number;
}

const PATH = /^\/api\/connectors\/([^/]+)\/metadata\/update$/;

/**
 * A real HTTP server standing in for database-api's metadata route: it checks the service
 * token, merges metadata per subaccount applying only newer versions of one scope (as
 * database-api does),
 * answers in the envelope, and can be told to answer 503 (down) or 404 CONNECTOR_NOT_FOUND
 * (connector deleted) for one subaccount.
 */
export class MetadataReceiver {
  readonly url: string;

  private readonly connectors = new Map<
    string,
    { metadata: Record<string, unknown>; version: number; scope?: string; createdAt: Date; updatedAt: Date }
  >();
  private readonly overrides = new Map<string, Override>();
  private readonly log = new AwaitedLog<ReceivedMetadataUpdate>('metadata update');

  private constructor(
    private readonly server: Server,
    private readonly serviceToken: string,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() =>
        send(res, 500, { success: false, message: 'receiver failure', error: { code: 'INTERNAL' } }),
      );
    });
  }

  static async start(serviceToken: string): Promise<MetadataReceiver> {
    const server = createServer({ keepAliveTimeout: 1000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new MetadataReceiver(server, serviceToken);
  }

  /** The next `times` requests for the subaccount answer `status` (503: down, 404: connector gone). */
  answer(subaccountId: string, status: number, times = Number.POSITIVE_INFINITY): void {
    this.overrides.set(subaccountId, { status, remaining: times });
  }

  /** Back to normal answers for the subaccount. */
  heal(subaccountId: string): void {
    this.overrides.delete(subaccountId);
  }

  requestsFor(subaccountId: string): ReceivedMetadataUpdate[] {
    return this.requests.filter((r) => r.subaccountId === subaccountId);
  }

  /** Requests for the subaccount that were answered 2xx. */
  deliveredFor(subaccountId: string): ReceivedMetadataUpdate[] {
    return this.requestsFor(subaccountId).filter((r) => r.status >= 200 && r.status < 300);
  }

  /** The subaccount's metadata as database-api would hold it now. */
  metadataOf(subaccountId: string): Record<string, unknown> | undefined {
    return this.connectors.get(subaccountId)?.metadata;
  }

  /** Every request taken, oldest first (also the refused ones). The same array for the receiver's life. */
  get requests(): ReceivedMetadataUpdate[] {
    return this.log.entries;
  }

  /** The first request (taken already or still to come) matching the predicate. */
  waitFor(predicate: (r: ReceivedMetadataUpdate) => boolean, timeoutMs = 5000): Promise<ReceivedMetadataUpdate> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  /**
   * The first 2xx delivery for the subaccount (taken at or after `after`, default: any) whose
   * metadata holds the given values.
   */
  waitForDelivery(
    subaccountId: string,
    metadata: Record<string, unknown>,
    options: { after?: Date; timeoutMs?: number } = {},
  ): Promise<ReceivedMetadataUpdate> {
    const after = options.after?.getTime() ?? 0;
    return this.waitFor(
      (r) =>
        r.subaccountId === subaccountId &&
        r.status === 200 &&
        r.at.getTime() >= after &&
        Object.entries(metadata).every(([key, value]) => r.body.metadata?.[key] === value),
      options.timeoutMs,
    );
  }

  async close(): Promise<void> {
    this.log.close('MetadataReceiver closed while waiting');
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = PATH.exec(new URL(req.url ?? '/', 'http://receiver.invalid').pathname);
    if (req.method !== 'POST' || !match) {
      return send(res, 404, { success: false, message: 'Cannot find this route', error: { code: 'NOT_FOUND' } });
    }
    const subaccountId = decodeURIComponent(match[1] as string);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as MetadataUpdateBody;
    const authorized = req.headers.authorization === `Bearer ${this.serviceToken}`;
    const requestIdHeader = req.headers['x-request-id'];
    const record = (status: number): void => {
      const entry: ReceivedMetadataUpdate = {
        subaccountId,
        authorized,
        requestId: typeof requestIdHeader === 'string' ? requestIdHeader : undefined,
        body,
        status,
        at: new Date(),
      };
      this.log.add(entry);
    };

    if (!authorized) {
      record(401);
      return send(res, 401, {
        success: false,
        message: 'Missing or invalid service token',
        error: { code: 'UNAUTHORIZED' },
      });
    }
    const override = this.overrides.get(subaccountId);
    if (override && override.remaining > 0) {
      override.remaining -= 1;
      record(override.status);
      return send(
        res,
        override.status,
        override.status === 404
          ? {
              success: false,
              message: 'This subaccount has no connector google-calendar',
              error: { code: 'CONNECTOR_NOT_FOUND' },
            }
          : { success: false, message: 'Service unavailable', error: { code: 'SERVICE_UNAVAILABLE' } },
      );
    }

    const now = new Date();
    const connector = this.connectors.get(subaccountId) ?? { metadata: {}, version: 0, createdAt: now, updatedAt: now };
    const applied =
      body.version === undefined || body.versionScope !== connector.scope || body.version > connector.version;
    if (applied) {
      connector.metadata = { ...connector.metadata, ...body.metadata };
      if (body.version !== undefined) {
        connector.version = body.version;
        connector.scope = body.versionScope;
      }
      connector.updatedAt = now;
    }
    this.connectors.set(subaccountId, connector);
    record(200);
    send(res, 200, {
      success: true,
      data: {
        connector: {
          subaccountId,
          connectorId: body.connectorId ?? 'google-calendar',
          name: 'Google Calendar',
          config: {},
          metadata: connector.metadata,
          createdAt: connector.createdAt.toISOString(),
          updatedAt: connector.updatedAt.toISOString(),
        },
        applied,
      },
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
