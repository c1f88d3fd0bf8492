import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented token with the accepted ones in constant time. Tokens are hashed
 * first so lengths never leak, and every accepted token is compared (no early exit), so
 * the time taken says nothing about which token, or how much of one, matched.
 */
export class ServiceTokenMatcher {
  private readonly digests: Buffer[];

  constructor(acceptedTokens: readonly string[]) {
    const tokens = acceptedTokens.map((t) => t.trim()).filter((t) => t.length > 0);
    if (tokens.length === 0) throw new Error('ServiceTokenMatcher needs at least one token');
    this.digests = tokens.map(digest);
  }

  matches(presented: string | undefined | null): boolean {
    if (!presented) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const accepted of this.digests) {
      matched = timingSafeEqual(candidate, accepted) || matched;
    }
    return matched;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
