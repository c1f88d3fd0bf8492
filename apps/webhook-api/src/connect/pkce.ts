import { createHash, randomBytes } from 'node:crypto';

/** A fresh PKCE pair (RFC 7636, S256): a 64-character verifier and its challenge. */
export function newPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(48).toString('base64url');
  return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') };
}

/** An unguessable, URL-safe `state` (256 bits). */
export function newOAuthState(): string {
  return randomBytes(32).toString('base64url');
}
