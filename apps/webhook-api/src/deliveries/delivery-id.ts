import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new delivery id (and Standard Webhooks `webhook-id`): `msg_` + a ULID, 48 bits of
 * milliseconds then 80 random bits in Crockford base32, so ids sort by creation time
 * (to the millisecond) and page by `_id`.
 */
export function newDeliveryId(now: Date = new Date()): string {
  let time = now.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i += 1) {
    timePart = (CROCKFORD[time % 32] as string) + timePart;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(10);
  let bits = 0n;
  for (const byte of random) bits = (bits << 8n) | BigInt(byte);
  let randomPart = '';
  for (let i = 0; i < 16; i += 1) {
    randomPart = (CROCKFORD[Number(bits & 31n)] as string) + randomPart;
    bits >>= 5n;
  }
  return `msg_${timePart}${randomPart}`;
}
