import { createConnectorApiClient } from '@connector-service/api-client';
import { FakeDatabaseApi } from '../testing/fake-database-api';
import { ApiProblemError } from './api-problem';
import { SlotBookingClient, availabilityRequestFor, createEventRequestFor } from './slot-booking';

const SUBACCOUNT_ID = '68cf05f060d294db17c0685e';
const CALENDAR_PATH = `/api/connectors/${SUBACCOUNT_ID}/google-calendar`;
const SLOT = { start: '2026-12-07T09:30:00+01:00', end: '2026-12-07T10:00:00+01:00' };

describe('createEventRequestFor', () => {
  it('books only free time, in the chosen time zone, with a Meet link when asked for', () => {
    expect(
      createEventRequestFor({ slot: SLOT, timeZone: 'Europe/Berlin', summary: 'Intro call', addMeetLink: true }),
    ).toEqual({
      summary: 'Intro call',
      start: { dateTime: SLOT.start, timeZone: 'Europe/Berlin' },
      end: { dateTime: SLOT.end, timeZone: 'Europe/Berlin' },
      requireFree: true,
      conference: { type: 'google_meet' },
    });
    expect(
      createEventRequestFor({ slot: SLOT, timeZone: 'Europe/Berlin', summary: 'Intro call', addMeetLink: false }),
    ).not.toHaveProperty('conference');
  });

  it('builds the same body for the same choice (a retry must send what its key was first used with)', () => {
    const choice = { slot: SLOT, timeZone: 'UTC', summary: 'x', description: 'y', addMeetLink: true };
    expect(JSON.stringify(createEventRequestFor({ ...choice }))).toBe(JSON.stringify(createEventRequestFor(choice)));
  });
});

describe('availabilityRequestFor', () => {
  it('asks for working hours Monday to Friday 09:00-17:00 unless told otherwise', () => {
    const range = { timeMin: '2026-12-07T00:00:00Z', timeMax: '2026-12-14T00:00:00Z' };
    expect(availabilityRequestFor({ ...range, timeZone: 'Europe/Berlin', durationMinutes: 30 })).toEqual({
      ...range,
      timeZone: 'Europe/Berlin',
      durationMinutes: 30,
      workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    });
    const weekend = [{ days: ['sat' as const], start: '10:00', end: '12:00' }];
    expect(
      availabilityRequestFor({ ...range, timeZone: 'UTC', durationMinutes: 60, workingHours: weekend }).workingHours,
    ).toEqual(weekend);
  });
});

describe('SlotBookingClient', () => {
  const api = new FakeDatabaseApi();
  let client: SlotBookingClient;

  beforeAll(async () => {
    const baseUrl = await api.start();
    client = new SlotBookingClient(createConnectorApiClient({ baseUrl, token: () => 'jwt' }), SUBACCOUNT_ID);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.seen.length = 0;
  });

  it('answers the slots of the availability route', async () => {
    api.handler = () => ({ status: 200, body: { success: true, data: { timeZone: 'Europe/Berlin', slots: [SLOT] } } });
    const query = {
      timeMin: '2026-12-07T00:00:00Z',
      timeMax: '2026-12-14T00:00:00Z',
      timeZone: 'Europe/Berlin',
      durationMinutes: 30,
    };

    await expect(client.availableSlots(query)).resolves.toEqual([SLOT]);
    expect(api.seen[0]).toMatchObject({
      method: 'POST',
      path: `${CALENDAR_PATH}/availability`,
      body: availabilityRequestFor(query),
    });
  });

  it('creates the event under the Idempotency-Key, and tells a replayed answer', async () => {
    const request = createEventRequestFor({
      slot: SLOT,
      timeZone: 'Europe/Berlin',
      summary: 'Intro',
      addMeetLink: true,
    });
    const event = { id: 'evt1', summary: 'Intro', meetLink: 'https://meet.google.com/abc-defg-hij' };
    let answers = 0;
    api.handler = () => {
      const headers: Record<string, string> = answers++ === 0 ? {} : { 'Idempotent-Replayed': 'true' };
      return { status: 201, body: { success: true, data: event }, headers };
    };

    await expect(client.book(request, 'key-1')).resolves.toEqual({ event, replayed: false });
    await expect(client.book(request, 'key-1')).resolves.toEqual({ event, replayed: true });
    expect(api.seen.map((seen) => [seen.path, seen.headers['idempotency-key'], seen.body])).toEqual([
      [`${CALENDAR_PATH}/events`, 'key-1', request],
      [`${CALENDAR_PATH}/events`, 'key-1', request],
    ]);
  });

  it('throws SLOT_TAKEN as slot_taken and a 429 with its Retry-After', async () => {
    const request = createEventRequestFor({ slot: SLOT, timeZone: 'UTC', summary: 'Intro', addMeetLink: false });
    api.handler = () => ({
      status: 409,
      body: { success: false, message: 'The time is no longer free', error: { code: 'SLOT_TAKEN' } },
    });
    await expect(client.book(request, 'key-2')).rejects.toMatchObject({ problem: { kind: 'slot_taken' } });

    api.handler = () => ({
      status: 429,
      body: { success: false, message: 'Rate limited', error: { code: 'RATE_LIMITED' } },
      headers: { 'Retry-After': '12' },
    });
    const failure = await client.book(request, 'key-2').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiProblemError);
    expect((failure as ApiProblemError).problem).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 12 });
  });
});
