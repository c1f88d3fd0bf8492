import {
  TcpProxy,
  mongoUriHostPort,
  replaceMongoUriHostPort,
  startTcpProxy,
  testDatabaseUri,
} from '@connector-service/testing';
import { DatabaseApiUnderTest, startDatabaseApi } from './support/database-api-app';

describe('database-api health and API documents (e2e)', () => {
  let api: DatabaseApiUnderTest;
  let proxy: TcpProxy;

  beforeAll(async () => {
    // The app reaches the database through a proxy the test can cut, so "database down"
    // is real whichever server (FerretDB or MongoDB) is behind it.
    const direct = testDatabaseUri('database_api_health');
    proxy = await startTcpProxy(mongoUriHostPort(direct));
    api = await startDatabaseApi({
      MONGODB_URI: replaceMongoUriHostPort(direct, proxy.host, proxy.port),
    });
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
  });

  it('answers 200 while the database is up, 503 while it is unreachable, 200 again after', async () => {
    const up = await api.http().get('/health').expect(200);
    expect(up.body).toEqual({ success: true, data: { status: 'ok', database: 'up' } });

    proxy.cut();
    const down = await api.http().get('/health').expect(503);
    expect(down.body).toMatchObject({ success: false, error: { code: 'DATABASE_UNAVAILABLE' } });

    await proxy.restore();
    await waitFor(async () => (await api.http().get('/health')).status === 200, 15000);
  });

  it('serves Swagger UI and an OpenAPI 3 document with every route and its error answers', async () => {
    const ui = await api.http().get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');

    const doc = (await api.http().get('/api/docs-json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/api/connectors/{subaccountId}',
        '/api/connectors/{subaccountId}/{connectorId}',
        '/api/connectors/{subaccountId}/metadata/update',
      ]),
    );
    expect(Object.keys(paths['/api/connectors/{subaccountId}']['post'].responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '413']),
    );
    expect(Object.keys(paths['/api/connectors/{subaccountId}/{connectorId}']['get'].responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
    expect(Object.keys(paths['/api/connectors/{subaccountId}/metadata/update']['post'].responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404']),
    );
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
