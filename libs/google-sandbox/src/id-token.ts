import { KeyObject, createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

export interface IdTokenClaims {
  clientId: string;
  sub: string;
  email?: string;
  name?: string;
  picture?: string;
  accessToken: string;
  nonce?: string;
}

/**
 * Signs ID tokens the way Google does (RS256, `kid` header, issuer https://accounts.google.com)
 * with a key made at start, and publishes it at the certs URLs so verifyIdToken works.
 */
export class IdTokenSigner {
  readonly kid = randomBytes(20).toString('hex');
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  sign(claims: IdTokenClaims, lifetimeSeconds = 3600): string {
    const iat = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: 'https://accounts.google.com',
      azp: claims.clientId,
      aud: claims.clientId,
      sub: claims.sub,
      ...(claims.email === undefined ? {} : { email: claims.email, email_verified: true }),
      at_hash: atHash(claims.accessToken),
      ...(claims.nonce === undefined ? {} : { nonce: claims.nonce }),
      ...(claims.name === undefined ? {} : { name: claims.name }),
      ...(claims.picture === undefined ? {} : { picture: claims.picture }),
      iat,
      exp: iat + lifetimeSeconds,
    };
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /** Body of GET /oauth2/v1/certs: kid to PEM (a public key here; Google serves certificates). */
  pemCerts(): Record<string, string> {
    return { [this.kid]: this.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  /** Body of GET /oauth2/v3/certs. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: this.kid }] };
  }
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
