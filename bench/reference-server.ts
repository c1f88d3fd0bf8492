/**
 * The bare reference for `GET /api/connectors/:subaccountId`: node:http, jsonwebtoken and
 * the plain mongodb driver, nothing else. Same JWT rules (HS256, same secret, `exp`
 * enforced, tenant check: `subaccountIds` holds the id, any hex case, or role admin),
 * same collection, filter and sort, same answer shape as database-api. It sets the floor
 * the framework's overhead is measured against.
 *
 * Env: PORT, MONGODB_URI (database-api's database), JWT_SECRET.
 */
import { createSecretKey, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { verify, JwtPayload } from 'jsonwebtoken';
import { Collection, MongoClient } from 'mongodb';

const COLLECTION = 'connectorsubaccount';
const ROUTE = /^\/api\/connectors\/([^/?]+)\/?(?:\?.*)?$/;
const SUBACCOUNT_ID = /^[0-9a-fA-F]{24}$/;

interface ConnectorDocument {
  subaccountId: string;
  connectorId: string;
  name: string;
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`reference-server: ${name} is required\n`);
    process.exit(1);
  }
  return value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { success: false, message, error: { code } });
}

/** The verified caller, or null (then a 401 is due). */
function authenticate(req: IncomingMessage, secret: KeyObject): JwtPayload | null {
  const header = req.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) return null;
  try {
    const claims = verify(header.slice(7), secret, { algorithms: ['HS256'] });
    if (typeof claims === 'string') return null;
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) return null;
    const ids: unknown = claims['subaccountIds'];
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return null;
    return claims;
  } catch {
    return null;
  }
}

function mayAccess(claims: JwtPayload, subaccountId: string): boolean {
  if (claims['role'] === 'admin') return true;
  const wanted = subaccountId.toLowerCase();
  return (claims['subaccountIds'] as string[]).some((id) => id.toLowerCase() === wanted);
}

async function list(collection: Collection<ConnectorDocument>, subaccountId: string): Promise<unknown[]> {
  const docs = await collection.find({ subaccountId }).sort({ createdAt: 1, connectorId: 1 }).toArray();
  return docs.map((doc) => ({
    subaccountId: doc.subaccountId,
    connectorId: doc.connectorId,
    name: doc.name,
    config: doc.config ?? {},
    metadata: doc.metadata ?? {},
    createdAt: new Date(doc.createdAt).toISOString(),
    updatedAt: new Date(doc.updatedAt).toISOString(),
  }));
}

async function main(): Promise<void> {
  const port = Number(env('PORT'));
  // The secret as a KeyObject, made once: handed a string, jsonwebtoken tries createPublicKey()
  // (which throws) and then createSecretKey() on every verify, a fifth of database-api's CPU.
  const secret = createSecretKey(Buffer.from(env('JWT_SECRET'), 'utf8'));
  const client = await MongoClient.connect(env('MONGODB_URI'));
  const collection = client.db().collection<ConnectorDocument>(COLLECTION);

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      client
        .db()
        .command({ ping: 1 })
        .then(
          () => send(res, 200, { success: true, data: { status: 'ok' } }),
          () => fail(res, 503, 'DATABASE_UNAVAILABLE', 'The database is unreachable'),
        );
      return;
    }
    const match = req.method === 'GET' ? ROUTE.exec(req.url ?? '') : null;
    if (!match) return fail(res, 404, 'NOT_FOUND', 'No such route');
    const subaccountId = decodeURIComponent(match[1] ?? '');
    const claims = authenticate(req, secret);
    if (!claims) return fail(res, 401, 'UNAUTHORIZED', 'The token is invalid');
    if (!SUBACCOUNT_ID.test(subaccountId))
      return fail(res, 400, 'VALIDATION_FAILED', 'subaccountId must be 24 hex characters');
    if (!mayAccess(claims, subaccountId))
      return fail(res, 403, 'FORBIDDEN', 'This token may not act on that subaccount');
    list(collection, subaccountId).then(
      (data) => send(res, 200, { success: true, data }),
      () => fail(res, 500, 'INTERNAL_ERROR', 'Internal error'),
    );
  });
  server.keepAliveTimeout = 5_000;
  server.listen(port, '127.0.0.1');

  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void client.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`reference-server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
