import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new channel token: 256 random bits, URL-safe (Google allows 256 characters). */
export function newChannelToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a channel token: its SHA-256, hex. */
export function channelTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` is the one whose hash is stored, compared in constant time. */
export function channelTokenMatches(token: string | undefined, storedHash: string): boolean {
  if (token === undefined) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(token).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * When a channel is to be replaced: once less than a quarter of its lifetime, and at most a
 * day, is left, however short the lifetime Google granted.
 */
export function renewalTime(openedAt: Date, expiration: Date): Date {
  const lifetimeMs = Math.max(0, expiration.getTime() - openedAt.getTime());
  return new Date(expiration.getTime() - Math.min(lifetimeMs / 4, 86_400_000));
}
