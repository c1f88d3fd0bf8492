import type { CreateEventRequest } from '@connector-service/api-client';
import { IdempotentBooking, newIdempotencyKey } from './idempotent-booking';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function requestAt(start: string, meet = false): CreateEventRequest {
  return {
    summary: 'Intro call',
    start: { dateTime: start, timeZone: 'Europe/Berlin' },
    end: { dateTime: start.replace(':00+', ':30+'), timeZone: 'Europe/Berlin' },
    requireFree: true,
    ...(meet ? { conference: { type: 'google_meet' } } : {}),
  };
}

describe('IdempotentBooking', () => {
  it('keeps the key across retries of the same booking', () => {
    const booking = new IdempotentBooking();
    const first = booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'));
    expect(first).toMatch(UUID_V4);
    expect(booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'))).toBe(first);
  });

  it('makes a new key for another slot, and for the same slot chosen again after another', () => {
    const booking = new IdempotentBooking();
    const nine = booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'));
    const ten = booking.keyFor(requestAt('2026-12-07T10:00:00+01:00'));
    const nineAgain = booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'));
    expect(new Set([nine, ten, nineAgain]).size).toBe(3);
  });

  it('makes a new key when the request changed (the same key with another body is a 422)', () => {
    const booking = new IdempotentBooking();
    const plain = booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'));
    expect(booking.keyFor(requestAt('2026-12-07T09:00:00+01:00', true))).not.toBe(plain);
  });

  it('starts afresh once the booking settled', () => {
    const booking = new IdempotentBooking();
    const first = booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'));
    booking.settle();
    expect(booking.keyFor(requestAt('2026-12-07T09:00:00+01:00'))).not.toBe(first);
  });
});

describe('newIdempotencyKey', () => {
  it('is a random UUID v4 from crypto.randomUUID', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(UUID_V4);
  });

  it('is still a random UUID v4 where only getRandomValues exists (plain HTTP)', () => {
    const insecure = { getRandomValues: crypto.getRandomValues.bind(crypto) };
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey(insecure)));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(UUID_V4);
  });
});
