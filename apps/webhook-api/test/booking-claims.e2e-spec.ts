import { newSubaccountId } from '@connector-service/testing';
import { WebhookApiWithGoogle, newEmail, sleep } from './support/webhook-api-with-google';

/** Short, so the booking outlasts it several times; long enough that a loaded machine's pauses do not lose it. */
const CLAIM_TTL_MS = 3000;

/**
 * `requireFree` bookings hold the connection's booking claim from the free/busy check to
 * the insert. When Google is slow the booking outlasts the claim's duration many times
 * over; the claim is renewed meanwhile, so a second booking of the same time never books
 * it too.
 */
describe('requireFree bookings under a claim (e2e: slow Google, real database)', () => {
  let stack: WebhookApiWithGoogle;
  let calendarId: string;
  let email: string;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start({
      // Google's slow answer must not time out: only the claim's duration is outlasted.
      env: { CLAIM_TTL_MS: String(CLAIM_TTL_MS), OUTBOUND_TIMEOUT_MS: '20000' },
    });
    email = newEmail('booking');
    ({ calendarId } = await stack.connect(newSubaccountId(), email));
  });
  afterAll(() => stack.stop());

  const book = (summary: string, key: string) =>
    stack.asService('post', `/api/google-calendar/connections/${calendarId}/events`, {
      body: {
        summary,
        start: { dateTime: '2027-03-01T09:00:00Z' },
        end: { dateTime: '2027-03-01T10:00:00Z' },
        requireFree: true,
      },
      headers: { 'Idempotency-Key': key },
    });

  it('a booking slowed by Google (slow free/busy, an insert answered 429 Retry-After) and a second booking of the slot after the claim would have lapsed: never two 201s', async () => {
    stack.google.failApiRequests(1, { kind: 'hang', ms: 3 * CLAIM_TTL_MS }, { method: 'POST', path: /freeBusy$/ });
    stack.google.failApiRequests(
      1,
      { kind: 'tooManyRequests', retryAfterSeconds: 1 },
      { method: 'POST', path: /\/events$/ },
    );
    const first = book('First', 'booking-first');
    // Well past the first booking's claim duration, while it waits for Google.
    await sleep(2 * CLAIM_TTL_MS);
    const second = book('Second', 'booking-second');
    const answers = await Promise.all([first, second]);

    // One books; the other gave up waiting for the claim (429) or found the slot taken (409).
    // (Usually the first books; on a loaded CI machine the first has at times answered 429
    // without writing — its cause is still being looked into — and the second then booked.)
    const statuses = answers.map((a) => a.status).sort();
    expect([
      [201, 409],
      [201, 429],
    ]).toContainEqual(statuses);
    const winner = answers[0]?.status === 201 ? 'First' : 'Second';
    const booked = stack.google.calendarEvents(email).filter((e) => ['First', 'Second'].includes(String(e.summary)));
    expect(booked.map((e) => e.summary)).toEqual([winner]);
  });
});
