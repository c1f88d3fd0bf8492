import { newSubaccountId } from '@connector-service/testing';
import { JsonBody, Stack } from './support/stack';

const ROUTE = '/api/google-calendar/availability';

/** A subaccount connected through the sandbox, with the e-mail of its Google account. */
interface Member {
  subaccountId: string;
  email: string;
}

/**
 * Availability of a group as the SPA asks for it: database-api's JWT route, the tenant check
 * of every participant, webhook-api asking each connection's Google (the sandbox) at once,
 * both apps as built processes on a real database.
 */
describe('availability of a group through database-api (system e2e)', () => {
  let stack: Stack;
  let ann: Member;
  let bob: Member;
  let cat: Member;

  async function member(label: string): Promise<Member> {
    const subaccountId = newSubaccountId();
    const email = `${label}-${subaccountId.slice(0, 8)}@example.com`;
    await stack.connect(subaccountId, email);
    return { subaccountId, email };
  }

  /** A meeting on 2027-01-04 (a Monday), times in UTC. */
  const meeting = (who: Member, from: string, to: string) =>
    stack.google.addCalendarEvent(who.email, {
      summary: 'Busy',
      start: { dateTime: `2027-01-04T${from}:00Z` },
      end: { dateTime: `2027-01-04T${to}:00Z` },
    });

  beforeAll(async () => {
    stack = await Stack.start();
    [ann, bob, cat] = [await member('ann'), await member('bob'), await member('cat')];
    // 09:00–12:00 UTC in hourly slots: Ann is busy at 09, Bob at 10, Cat at 09 and 11.
    meeting(ann, '09:00', '10:00');
    meeting(bob, '10:00', '11:00');
    meeting(cat, '09:30', '10:00');
    meeting(cat, '11:00', '12:00');
  }, 90_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.google.clearApiFailures());

  const ask = async (
    members: Member[],
    extra: object = {},
    token = stack.userToken([ann, bob, cat].map((m) => m.subaccountId)),
  ): Promise<{ status: number; body: JsonBody }> => {
    const response = await fetch(`${stack.databaseApi.url}${ROUTE}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        timeMin: '2027-01-04T00:00:00Z',
        timeMax: '2027-01-05T00:00:00Z',
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
        // 09:00–12:00 UTC
        workingHours: [{ days: ['mon'], start: '10:00', end: '13:00' }],
        participants: members.map(({ subaccountId }) => ({ subaccountId })),
        ...extra,
      }),
    });
    return { status: response.status, body: await response.json() };
  };
  const slot = (utcHour: number, ...who: Member[]) => ({
    start: `2027-01-04T${utcHour + 1}:00:00+01:00`,
    end: `2027-01-04T${utcHour + 2}:00:00+01:00`,
    subaccountIds: who.map((m) => m.subaccountId),
  });

  it('required "all": only the slots every participant is free for', async () => {
    const two = await ask([ann, bob], { required: 'all' });
    expect([two.status, two.body]).toEqual([
      200,
      { success: true, data: { timeZone: 'Europe/Berlin', slots: [slot(11, ann, bob)] } },
    ]);
    const three = await ask([ann, bob, cat]);
    expect([three.status, three.body.data?.slots]).toEqual([200, []]);
  });

  it('required 2: each slot two of the three are free for, with who is free', async () => {
    const res = await ask([ann, bob, cat], { required: 2 });
    expect([res.status, res.body.data?.slots]).toEqual([200, [slot(10, ann, cat), slot(11, ann, bob)]]);
  });

  it('a token without one of the subaccounts is a 403, and no Google is asked', async () => {
    const freeBusyCalls = () => stack.google.requests.filter((r) => r.path === '/calendar/v3/freeBusy').length;
    const before = freeBusyCalls();
    const res = await ask([ann, bob, cat], {}, stack.userToken([ann.subaccountId, bob.subaccountId]));
    expect([res.status, res.body.error]).toEqual([
      403,
      { code: 'FORBIDDEN', details: { subaccountIds: [cat.subaccountId] } },
    ]);
    expect(freeBusyCalls()).toBe(before);
  });

  it('a participant that is not connected is a 409 NOT_CONNECTED naming it', async () => {
    const fresh = newSubaccountId();
    await stack.asUser(fresh, 'POST', `/api/connectors/${fresh}`, { connectorId: 'google-calendar' });
    const token = stack.userToken([ann.subaccountId, fresh]);
    const res = await ask([ann, { subaccountId: fresh, email: '' }], {}, token);
    expect([res.status, res.body.error]).toEqual([409, { code: 'NOT_CONNECTED', details: { subaccountId: fresh } }]);
  });

  it('a subaccount named twice is a 400', async () => {
    const res = await ask([ann, bob, ann]);
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.message).toContain('each subaccount once');
  });

  it("one participant's Google failing is a 502 naming it, with no partial answer", async () => {
    // Google drops Bob's access token and its token endpoint then fails: only Bob's refresh meets it.
    stack.google.invalidateAccessTokens(bob.email);
    // google-auth-library retries a 5xx three times: four failures reach webhook-api.
    stack.google.failTokenRequests(4, { status: 503, body: { error: 'backend_error' } });
    const res = await ask([ann, bob, cat], { required: 1 });
    expect([res.status, res.body.success, res.body.data]).toEqual([502, false, undefined]);
    expect(res.body.error).toMatchObject({ code: 'GOOGLE_UNAVAILABLE', details: { subaccountId: bob.subaccountId } });
    // Google working again, the same question is answered.
    const again = await ask([ann, bob, cat], { required: 1 });
    expect([again.status, again.body.data?.slots]).toEqual([
      200,
      [slot(9, bob), slot(10, ann, cat), slot(11, ann, bob)],
    ]);
  });
});
