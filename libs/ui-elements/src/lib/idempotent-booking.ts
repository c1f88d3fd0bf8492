import type { CreateEventRequest } from '@connector-service/api-client';

/**
 * Holds the Idempotency-Key of the booking being attempted. The key is made once per booking
 * (a chosen slot with its options) and kept across retries of it: after a network error, a 429
 * or a lost answer, a retry must send the same key so that database-api answers the event the
 * first attempt may already have created instead of booking twice. A different request (another
 * slot, or the Meet option changed) is a different booking and gets a new key: the same key
 * with another body would be refused (422 IDEMPOTENCY_KEY_REUSED).
 */
export class IdempotentBooking {
  private pending: { readonly body: string; readonly key: string } | undefined;

  constructor(private readonly newKey: () => string = () => newIdempotencyKey()) {}

  /** The key to send with this request: the pending one when it is a retry of the same request. */
  keyFor(request: CreateEventRequest): string {
    const body = JSON.stringify(request);
    if (this.pending?.body !== body) this.pending = { body, key: this.newKey() };
    return this.pending.key;
  }

  /** The booking is over (created, or its slot was taken): the next one starts afresh. */
  settle(): void {
    this.pending = undefined;
  }
}

/** The part of Web Crypto a key needs; `randomUUID` is missing outside secure contexts. */
export type KeyRandomness = Pick<Crypto, 'getRandomValues'> & { readonly randomUUID?: () => string };

/**
 * A random UUID v4. `crypto.randomUUID` exists only in secure contexts (HTTPS, localhost); an
 * SPA served over plain HTTP elsewhere still has `crypto.getRandomValues`.
 */
export function newIdempotencyKey(randomness: KeyRandomness = crypto): string {
  if (typeof randomness.randomUUID === 'function') return randomness.randomUUID();
  const bytes = randomness.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
