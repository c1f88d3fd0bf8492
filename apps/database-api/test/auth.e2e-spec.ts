import jwt from 'jsonwebtoken';
import { mintExpiredJwt, mintUnsignedJwt, mintUserJwt, newSubaccountId } from '@connector-service/testing';
import { DatabaseApiUnderTest, E2E_JWT_SECRET, E2E_SERVICE_TOKEN, startDatabaseApi } from './support/database-api-app';

describe('database-api user authentication and tenant check (e2e)', () => {
  let api: DatabaseApiUnderTest;
  const subaccountId = newSubaccountId();
  const claims = { sub: 'user-1', subaccountIds: [subaccountId] };

  beforeAll(async () => {
    api = await startDatabaseApi();
  });
  afterAll(() => api.close());

  const list = (authorization?: string, sub = subaccountId) => {
    const req = api.http().get(`/api/connectors/${sub}`);
    return authorization ? req.set('Authorization', authorization) : req;
  };

  it('lets a valid token for the tenant through', async () => {
    await list(`Bearer ${mintUserJwt(E2E_JWT_SECRET, claims)}`).expect(200);
  });

  it.each([
    ['no token', undefined],
    ['a non-bearer header', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['garbage', 'Bearer not.a.jwt'],
    ['a bad signature', `Bearer ${mintUserJwt('another-secret-0123456789abcdef', claims)}`],
    ['an expired token', `Bearer ${mintExpiredJwt(E2E_JWT_SECRET, claims)}`],
    ['alg none', `Bearer ${mintUnsignedJwt(claims)}`],
    ['another HMAC algorithm (HS512)', `Bearer ${mintUserJwt(E2E_JWT_SECRET, claims, { algorithm: 'HS512' })}`],
    ['no subaccountIds claim', `Bearer ${jwt.sign({ sub: 'user-1' }, E2E_JWT_SECRET, { expiresIn: '1h' })}`],
    ['no sub claim', `Bearer ${jwt.sign({ subaccountIds: [subaccountId] }, E2E_JWT_SECRET, { expiresIn: '1h' })}`],
    // The contract requires `exp`: a token without it would be valid for ever.
    ['a token without exp', `Bearer ${jwt.sign(claims, E2E_JWT_SECRET, { algorithm: 'HS256' })}`],
    ['the service token', `Bearer ${E2E_SERVICE_TOKEN}`],
  ])('answers 401 for %s', async (_what, authorization) => {
    const res = await list(authorization).expect(401);
    expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('answers 403 for a valid token of another tenant, on every user route', async () => {
    const other = newSubaccountId();
    const auth = `Bearer ${mintUserJwt(E2E_JWT_SECRET, claims)}`;
    const answers = await Promise.all([
      api.http().get(`/api/connectors/${other}`).set('Authorization', auth),
      api.http().get(`/api/connectors/${other}/google-calendar`).set('Authorization', auth),
      api.http().post(`/api/connectors/${other}`).set('Authorization', auth).send({ connectorId: 'slack' }),
      api.http().delete(`/api/connectors/${other}/slack`).set('Authorization', auth),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('matches the subaccount id regardless of hex case', async () => {
    await list(`Bearer ${mintUserJwt(E2E_JWT_SECRET, claims)}`, subaccountId.toUpperCase()).expect(200);
  });

  it('lets the admin role reach any subaccount', async () => {
    const admin = mintUserJwt(E2E_JWT_SECRET, { sub: 'admin-1', subaccountIds: [], role: 'admin' });
    const other = newSubaccountId();
    await api
      .http()
      .post(`/api/connectors/${other}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ connectorId: 'slack' })
      .expect(201);
    await list(`Bearer ${admin}`, other).expect(200);
  });

  it('does not treat another role as admin', async () => {
    const member = mintUserJwt(E2E_JWT_SECRET, { sub: 'u', subaccountIds: [], role: 'member' });
    await list(`Bearer ${member}`).expect(403);
  });
});
