import { newSubaccountId } from '@connector-service/testing';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

const ROUTE = '/api/google-calendar/availability';
const FREE_BUSY = '/calendar/v3/freeBusy';

/** A participant as database-api resolves it: the subaccount, its connection and the account's e-mail. */
interface Member {
  subaccountId: string;
  calendarId: string;
  email: string;
}

/**
 * Availability of a group through webhook-api's service route: several connections' free/busy
 * from the Google sandbox (Google's wire format), combined by the slot engine, on a real database.
 */
describe('webhook-api availability of a group (e2e: sandbox Google, real database)', () => {
  let stack: WebhookApiWithGoogle;
  let ann: Member;
  let bob: Member;
  let cat: Member;

  async function member(label: string): Promise<Member> {
    const subaccountId = newSubaccountId();
    const email = newEmail(label);
    const { calendarId } = await stack.connect(subaccountId, email);
    return { subaccountId, calendarId, email };
  }

  /** A meeting at the account's primary calendar, 2027-01-04 (a Monday) in UTC. */
  const meeting = (who: Member, from: string, to: string) =>
    stack.google.addCalendarEvent(who.email, {
      summary: 'Busy',
      start: { dateTime: `2027-01-04T${from}:00Z` },
      end: { dateTime: `2027-01-04T${to}:00Z` },
    });

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start();
    [ann, bob, cat] = [await member('ann'), await member('bob'), await member('cat')];
    // 09:00–12:00 UTC, hourly: Ann is busy at 09, Bob at 10, Cat at 09 and 11.
    meeting(ann, '09:00', '10:00');
    meeting(bob, '10:00', '11:00');
    meeting(cat, '09:15', '09:45');
    meeting(cat, '11:00', '12:00');
  });
  afterAll(() => stack.stop());
  afterEach(() => stack.google.clearApiFailures());

  const participant = ({ subaccountId, calendarId }: Member, extra: object = {}) => ({
    subaccountId,
    calendarId,
    ...extra,
  });
  const body = (members: object[], extra: object = {}) => ({
    timeMin: '2027-01-04T00:00:00Z',
    timeMax: '2027-01-05T00:00:00Z',
    durationMinutes: 60,
    timeZone: 'Europe/Berlin',
    // 09:00–12:00 UTC
    workingHours: [{ days: ['mon'], start: '10:00', end: '13:00' }],
    participants: members,
    ...extra,
  });
  const post = (payload: object, headers: Record<string, string> = {}) =>
    stack.asService('post', ROUTE, { body: payload, headers });
  const slot = (utcHour: number, ...who: Member[]) => ({
    start: `2027-01-04T${utcHour + 1}:00:00+01:00`,
    end: `2027-01-04T${utcHour + 2}:00:00+01:00`,
    subaccountIds: who.map((m) => m.subaccountId),
  });
  const freeBusyCalls = () => stack.google.requests.filter((r) => r.path === FREE_BUSY);

  describe('the slots', () => {
    it('required "all" (the default): only the slots every participant is free for', async () => {
      const res = await post(body([participant(ann), participant(bob)])).expect(200);
      expect(res.body).toEqual({ success: true, data: { timeZone: 'Europe/Berlin', slots: [slot(11, ann, bob)] } });
      const all = await post(body([participant(ann), participant(bob), participant(cat)], { required: 'all' }));
      expect(all.body.data.slots).toEqual([]);
    });

    it('required n: each slot n participants are free for, with who is free, in the order named', async () => {
      const res = await post(body([participant(cat), participant(ann), participant(bob)], { required: 2 })).expect(200);
      expect(res.body.data.slots).toEqual([slot(10, cat, ann), slot(11, ann, bob)]);
      const one = await post(body([participant(ann), participant(bob), participant(cat)], { required: 1 }));
      expect(one.body.data.slots).toEqual([slot(9, bob), slot(10, ann, cat), slot(11, ann, bob)]);
    });

    it("asks Google for every participant's calendars, one query each, all of them before any answer", async () => {
      // Each query takes 300 ms: asked one after another they would never overlap.
      stack.google.failApiRequests(3, { kind: 'hang', ms: 300 }, { path: FREE_BUSY });
      stack.google.resetMaxConcurrentRequests();
      const before = freeBusyCalls().length;
      const res = await post(
        body([participant(ann), participant(bob, { googleCalendarIds: [bob.email] }), participant(cat)], {
          required: 1,
        }),
      ).expect(200);
      expect(res.body.data.slots).toHaveLength(3);
      const calls = freeBusyCalls().slice(before);
      expect(calls.map((call) => call.account).sort()).toEqual([ann.email, bob.email, cat.email].sort());
      expect(calls.find((call) => call.account === bob.email)?.json).toMatchObject({ items: [{ id: bob.email }] });
      expect(stack.google.maxConcurrentRequests()).toBeGreaterThanOrEqual(3);
    });
  });

  describe('one participant fails the request, named in error.details.subaccountId', () => {
    it('a connection of another subaccount, or a disconnected one: 409 NOT_CONNECTED, nothing asked of Google', async () => {
      const before = freeBusyCalls().length;
      const foreign = await post(
        body([participant(ann), { subaccountId: bob.subaccountId, calendarId: cat.calendarId }]),
      );
      expect([foreign.status, foreign.body.error]).toEqual([
        409,
        { code: 'NOT_CONNECTED', details: { subaccountId: bob.subaccountId } },
      ]);

      const gone = await member('gone');
      await stack.asService('delete', `/api/google-calendar/connections/${gone.calendarId}`).expect(200);
      const disconnected = await post(body([participant(ann), participant(gone)]));
      expect([disconnected.status, disconnected.body.error]).toEqual([
        409,
        { code: 'NOT_CONNECTED', details: { subaccountId: gone.subaccountId } },
      ]);
      expect(freeBusyCalls().length).toBe(before);
    });

    it('a calendar Google cannot read: 404 NOT_FOUND with the calendar, no slots', async () => {
      const unknown = 'nobody@group.calendar.google.com';
      const res = await post(
        body([participant(ann), participant(bob, { googleCalendarIds: ['primary', unknown] })], { required: 1 }),
      );
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        message: expect.stringContaining(bob.subaccountId),
        error: {
          code: 'NOT_FOUND',
          details: { subaccountId: bob.subaccountId, calendars: [{ googleCalendarId: unknown, error: 'notFound' }] },
        },
      });
    });

    it('Google failing for one of them (its token refresh answers 503): 502 GOOGLE_UNAVAILABLE, no partial answer', async () => {
      // Only Bob's call answers 401, so only Bob's refresh meets the failing token endpoint.
      stack.google.invalidateAccessTokens(bob.email);
      // google-auth-library retries a 5xx three times: four failures reach webhook-api.
      stack.google.failTokenRequests(4, { status: 503, body: { error: 'backend_error' } });
      const res = await post(body([participant(ann), participant(bob), participant(cat)], { required: 1 }));
      expect([res.status, res.body.success, res.body.data]).toEqual([502, false, undefined]);
      expect(res.body.error).toMatchObject({ code: 'GOOGLE_UNAVAILABLE', details: { subaccountId: bob.subaccountId } });
    });

    it('Google rate-limiting past our retries: 429 with Retry-After, naming whose', async () => {
      stack.google.failApiRequests(3, { kind: 'tooManyRequests', retryAfterSeconds: 40 }, { path: FREE_BUSY });
      const res = await post(body([participant(ann), participant(bob), participant(cat)]));
      expect([res.status, res.body.error.code, res.headers['retry-after']]).toEqual([429, 'RATE_LIMITED', '40']);
      expect([ann, bob, cat].map((m) => m.subaccountId)).toContain(res.body.error.details.subaccountId);
    });

    it('Google hanging: 504 GOOGLE_TIMEOUT within X-Request-Timeout-Ms, naming the first one unanswered', async () => {
      stack.google.failApiRequests(3, { kind: 'hang', ms: 4000 }, { path: FREE_BUSY });
      const started = Date.now();
      const res = await post(body([participant(cat), participant(ann), participant(bob)]), {
        'X-Request-Timeout-Ms': '1500',
      });
      const took = Date.now() - started;
      expect([res.status, res.body.error]).toEqual([
        504,
        { code: 'GOOGLE_TIMEOUT', details: { subaccountId: cat.subaccountId } },
      ]);
      expect(took).toBeLessThan(1500);
    });
  });

  describe('input rules: 400 VALIDATION_FAILED', () => {
    it.each<[string, (m: { ann: object; bob: object }) => object, string]>([
      ['a subaccount named twice', ({ ann }) => body([ann, ann]), 'each subaccount once'],
      ['required above the number of participants', ({ ann, bob }) => body([ann, bob], { required: 3 }), 'required'],
      ['required 0', ({ ann }) => body([ann], { required: 0 }), 'required'],
      ['required 1.5', ({ ann, bob }) => body([ann, bob], { required: 1.5 }), 'required'],
      ['required "any"', ({ ann }) => body([ann], { required: 'any' }), 'required'],
      ['no participants', () => body([]), 'participants'],
      [
        'a participant without its connection',
        ({ ann }) => body([{ subaccountId: newSubaccountId() }, ann]),
        'calendarId',
      ],
      ['a field a participant does not have', ({ ann }) => body([{ ...ann, name: 'Ann' }]), 'should not exist'],
      [
        'googleCalendarIds (a participant names its own)',
        ({ ann }) => body([ann], { googleCalendarIds: ['primary'] }),
        'should not exist',
      ],
    ])('%s', async (_case, make, message) => {
      const before = freeBusyCalls().length;
      const res = await post(make({ ann: participant(ann), bob: participant(bob) })).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(message);
      expect(freeBusyCalls().length).toBe(before);
    });

    it('at most 20 participants', async () => {
      const many = Array.from({ length: 21 }, () => ({
        subaccountId: newSubaccountId(),
        calendarId: newSubaccountId(),
      }));
      const res = await post(body(many)).expect(400);
      expect(res.body.message).toContain('participants');
    });
  });

  it('takes only the service token', async () => {
    const res = await stack.asService('post', ROUTE, { body: body([participant(ann)]), token: null }).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });
});
