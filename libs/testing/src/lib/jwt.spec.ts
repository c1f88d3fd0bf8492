import { decode, JwtPayload, TokenExpiredError, verify } from 'jsonwebtoken';
import { mintExpiredJwt, mintUnsignedJwt, mintUserJwt } from './jwt';

const SECRET = 'test-secret-that-is-long-enough-for-hs512-0123456789';

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('mintUserJwt', () => {
  it('signs the user claims with HS256 and a one hour expiry by default', () => {
    const token = mintUserJwt(SECRET, { sub: 'user-1', subaccountIds: ['sa-1', 'sa-2'], role: 'admin' });
    const payload = verify(token, SECRET, { algorithms: ['HS256'] }) as JwtPayload;
    expect(payload).toMatchObject({ sub: 'user-1', subaccountIds: ['sa-1', 'sa-2'], role: 'admin' });
    expect(payload.exp).toBeDefined();
    expect(payload.iat).toBeDefined();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(decodeSegment(token.split('.')[0])).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('leaves role out when not given', () => {
    const payload = verify(mintUserJwt(SECRET, { sub: 'u', subaccountIds: [] }), SECRET) as JwtPayload;
    expect('role' in payload).toBe(false);
    expect(payload['subaccountIds']).toEqual([]);
  });

  it('honours expiresIn and algorithm', () => {
    const token = mintUserJwt(SECRET, { sub: 'u', subaccountIds: ['s'] }, { expiresIn: 90, algorithm: 'HS512' });
    const payload = verify(token, SECRET, { algorithms: ['HS512'] }) as JwtPayload;
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(90);
    expect(() => verify(token, SECRET, { algorithms: ['HS256'] })).toThrow(/invalid algorithm/);

    const short = verify(mintUserJwt(SECRET, { sub: 'u', subaccountIds: [] }, { expiresIn: '15m' }), SECRET);
    expect(((short as JwtPayload).exp ?? 0) - ((short as JwtPayload).iat ?? 0)).toBe(900);
  });

  it('fails verification with another secret', () => {
    const token = mintUserJwt(SECRET, { sub: 'u', subaccountIds: [] });
    expect(() => verify(token, 'another-secret')).toThrow(/invalid signature/);
  });
});

describe('mintUnsignedJwt', () => {
  it('builds header.payload. with alg none and an hour of validity', () => {
    const token = mintUnsignedJwt({ sub: 'intruder', subaccountIds: ['sa-1'] });
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    expect(parts[2]).toBe('');
    expect(token.endsWith('.')).toBe(true);
    expect(decodeSegment(parts[0])).toEqual({ alg: 'none', typ: 'JWT' });
    const payload = decodeSegment(parts[1]);
    expect(payload).toMatchObject({ sub: 'intruder', subaccountIds: ['sa-1'] });
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(3600);
    expect(Math.abs(Number(payload['iat']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('is refused by a verifier that expects a signature', () => {
    expect(() => verify(mintUnsignedJwt({ sub: 'x' }), SECRET)).toThrow(/jwt signature is required/);
  });
});

describe('mintExpiredJwt', () => {
  it('is correctly signed but expired', () => {
    const token = mintExpiredJwt(SECRET, { sub: 'user-1', subaccountIds: ['sa-1'] });
    expect(() => verify(token, SECRET)).toThrow(TokenExpiredError);
    const payload = verify(token, SECRET, { ignoreExpiration: true }) as JwtPayload;
    expect(payload).toMatchObject({ sub: 'user-1', subaccountIds: ['sa-1'] });
    expect(payload.exp).toBeLessThan(Date.now() / 1000);
    expect(decode(token, { complete: true })?.header.alg).toBe('HS256');
  });
});
