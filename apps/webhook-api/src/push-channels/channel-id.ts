import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Channel ids this service makes carry their own proof: `cs1-` + 16 random bytes + the first
 * 16 bytes of their HMAC-SHA256 under this deployment's channel-id key, both base64url
 * (48 characters, within Google's 64 of `[A-Za-z0-9-_+/=]`). The push endpoint refuses an id
 * without a valid proof before it reads anything, so a flood of made-up ids costs no database
 * work; a prefix alone would be copied by the first flood.
 */
const PREFIX = 'cs1-';
const PART_BYTES = 16;
const SIGNED_SHAPE = /^cs1-([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{22})$/;

/** A new channel-id key: 256 random bits. */
export function newChannelIdKey(): Buffer {
  return randomBytes(32);
}

export function newChannelId(key: Buffer): string {
  const nonce = randomBytes(PART_BYTES).toString('base64url');
  return `${PREFIX}${nonce}${proofOf(nonce, key)}`;
}

/** Whether the id has the form of ours (it may still be a forgery: see isOwnChannelId). */
export function hasChannelIdShape(id: string): boolean {
  return SIGNED_SHAPE.test(id);
}

/** Whether the id was made by newChannelId with this key; compared in constant time. */
export function isOwnChannelId(id: string, key: Buffer): boolean {
  const match = SIGNED_SHAPE.exec(id);
  if (!match) return false;
  // Compared as text: base64url's spare bits would let four spellings decode to one proof.
  const offered = Buffer.from(match[2] as string, 'latin1');
  const expected = Buffer.from(proofOf(match[1] as string, key), 'latin1');
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}

function proofOf(nonce: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${PREFIX}${nonce}`).digest().subarray(0, PART_BYTES).toString('base64url');
}
