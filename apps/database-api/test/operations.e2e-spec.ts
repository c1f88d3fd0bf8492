import { mintUserJwt, newSubaccountId } from '@connector-service/testing';
import { DatabaseApiUnderTest, E2E_JWT_SECRET, startDatabaseApi } from './support/database-api-app';

describe('database-api operations: request ids, metrics, probes, headers, CORS, rate limits (e2e)', () => {
  let api: DatabaseApiUnderTest;

  beforeAll(async () => {
    api = await startDatabaseApi({ CONNECT_RATE_LIMIT_PER_MINUTE: '2', CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => api.close());

  it('echoes a sane x-request-id and makes one otherwise', async () => {
    const given = await api.http().get('/health').set('x-request-id', 'trace-0123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-0123');
    const made = await api.http().get('/health').set('x-request-id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Prometheus metrics with HTTP latency by route and status', async () => {
    const sub = newSubaccountId();
    await api
      .http()
      .get(`/api/connectors/${sub}`)
      .set('Authorization', `Bearer ${api.userToken([sub])}`)
      .expect(200);
    const res = await api.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/connectors\/:subaccountId",status_code="200"\} \d+/,
    );
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('answers liveness and readiness probes', async () => {
    expect((await api.http().get('/health/live').expect(200)).body).toEqual({ success: true, data: { status: 'ok' } });
    expect((await api.http().get('/health/ready').expect(200)).body.data).toEqual({ status: 'ok', database: 'up' });
  });

  it('sends security headers', async () => {
    const res = await api.http().get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Swagger UI over plain HTTP (not on loopback) would go blank if its assets were upgraded.
    const docs = await api.http().get('/api/docs/').expect(200);
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('answers a method a documented path does not have with 405, its Allow list and the usual headers', async () => {
    const res = await api.http().put('/api/connectors/68cf05f060d294db17c0685e').expect(405);
    expect(res.headers['allow']).toBe('GET, POST, HEAD');
    expect(res.body).toEqual({
      success: false,
      message: 'PUT is not allowed here; use GET, POST, HEAD',
      error: { code: 'METHOD_NOT_ALLOWED' },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // A path no route has stays a 404.
    await api.http().put('/api/nothing-here').expect(404);
  });

  it('allows CORS from CORS_ORIGINS only', async () => {
    const allowed = await api
      .http()
      .options('/api/connectors/68cf05f060d294db17c0685e')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await api
      .http()
      .options('/api/connectors/68cf05f060d294db17c0685e')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate-limits handlegooglecalendar per user with a 429 in the envelope', async () => {
    const sub = newSubaccountId();
    const call = (token: string) =>
      api
        .http()
        .post(`/api/connectors/${sub}/handlegooglecalendar`)
        .set('Authorization', `Bearer ${token}`)
        .send({ userEmail: 'user@example.com' });
    const busy = api.userToken([sub]);
    await call(busy).expect(404); // no connector: counted all the same
    await call(busy).expect(404);
    const limited = await call(busy).expect(429);
    expect(limited.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
    // Another user of the same subaccount has a budget of their own.
    await call(mintUserJwt(E2E_JWT_SECRET, { sub: 'user-2', subaccountIds: [sub] })).expect(404);
  });
});
