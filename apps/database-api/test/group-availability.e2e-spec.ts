import { newSubaccountId } from '@connector-service/testing';
import {
  DatabaseApiUnderTest,
  E2E_SERVICE_TOKEN,
  E2E_WEBHOOK_TOKEN,
  startDatabaseApi,
} from './support/database-api-app';
import { FakeWebhookApi, startFakeWebhookApi } from './support/fake-webhook-api';

const ROUTE = '/api/google-calendar/availability';
const WEBHOOK_ROUTE = '/api/google-calendar/availability';
const RULES = {
  timeMin: '2026-12-07T00:00:00Z',
  timeMax: '2026-12-12T00:00:00Z',
  durationMinutes: 30,
  timeZone: 'Europe/Berlin',
  workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
  slotStepMinutes: 15,
  bufferBeforeMinutes: 5,
  bufferAfterMinutes: 10,
  minNoticeMinutes: 60,
};
const ANSWER = {
  timeZone: 'Europe/Berlin',
  slots: [{ start: '2026-12-07T09:00:00+01:00', end: '2026-12-07T09:30:00+01:00', subaccountIds: ['x'] }],
};

/**
 * database-api's group availability: the tenant check of every participant, each
 * participant's connection found from its connector, one call to a stand-in webhook-api.
 */
describe('database-api availability of a group (e2e, real database, stand-in webhook-api)', () => {
  let webhookApi: FakeWebhookApi;
  let api: DatabaseApiUnderTest;
  /** Three subaccounts with their connections' ids, and a token for all three. */
  let subaccounts: string[];
  let calendarIds: string[];
  let token: string;

  beforeAll(async () => {
    webhookApi = await startFakeWebhookApi();
    api = await startDatabaseApi({ WEBHOOK_SERVER_URL: webhookApi.url, WEBHOOK_API_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await api.close();
    await webhookApi.close();
  });

  beforeEach(async () => {
    subaccounts = [newSubaccountId(), newSubaccountId(), newSubaccountId()];
    calendarIds = subaccounts.map(() => newSubaccountId());
    token = api.userToken(subaccounts);
    for (const [index, subaccountId] of subaccounts.entries()) {
      await connect(subaccountId, { calendarId: calendarIds[index] });
    }
    webhookApi.reset();
  });

  const addConnector = (subaccountId: string) =>
    api
      .http()
      .post(`/api/connectors/${subaccountId}`)
      .set('Authorization', `Bearer ${api.userToken([subaccountId])}`)
      .send({ connectorId: 'google-calendar' })
      .expect(201);

  /** The connector as webhook-api's callback leaves it. */
  async function connect(subaccountId: string, metadata: Record<string, unknown>): Promise<void> {
    await addConnector(subaccountId);
    await api
      .http()
      .post(`/api/connectors/${subaccountId}/metadata/update`)
      .set('Authorization', `Bearer ${E2E_SERVICE_TOKEN}`)
      .send({ metadata: { isConnected: true, status: 'connected', ...metadata } })
      .expect(200);
  }

  const post = (body: object, jwt: string | null = token) => {
    const call = api.http().post(ROUTE);
    if (jwt !== null) void call.set('Authorization', `Bearer ${jwt}`);
    return call.send(body);
  };
  const everyone = (extra: object = {}) => ({
    ...RULES,
    participants: subaccounts.map((subaccountId) => ({ subaccountId })),
    ...extra,
  });

  describe('what reaches webhook-api', () => {
    it('one call with every participant’s connection, in order, and webhook-api’s answer comes back', async () => {
      webhookApi.answerWith({ status: 200, body: { success: true, data: ANSWER } });
      const [a, b, c] = subaccounts;
      const body = {
        ...RULES,
        participants: [
          { subaccountId: c },
          { subaccountId: a.toUpperCase(), googleCalendarIds: ['primary', 'team@group.calendar.google.com'] },
          { subaccountId: b },
        ],
        required: 2,
      };
      const res = await post(body).set('x-request-id', 'group-1').expect(200);
      expect(res.body).toEqual({ success: true, data: ANSWER });
      expect(webhookApi.requests).toHaveLength(1);
      const [seen] = webhookApi.requests;
      expect(seen).toMatchObject({ method: 'POST', path: WEBHOOK_ROUTE, query: {} });
      expect(seen.body).toEqual({
        ...RULES,
        participants: [
          { subaccountId: c, calendarId: calendarIds[2] },
          {
            subaccountId: a,
            calendarId: calendarIds[0],
            googleCalendarIds: ['primary', 'team@group.calendar.google.com'],
          },
          { subaccountId: b, calendarId: calendarIds[1] },
        ],
        required: 2,
      });
      expect(seen.headers['authorization']).toBe(`Bearer ${E2E_WEBHOOK_TOKEN}`);
      expect(seen.headers['x-request-id']).toBe('group-1');
      expect(Number(seen.headers['x-request-timeout-ms'])).toBeGreaterThan(1000);
      // Several subaccounts: webhook-api checks each participant's connection itself.
      expect(seen.headers['x-subaccount-id']).toBeUndefined();
    });

    it('required "all" is passed on; left out, it stays out (webhook-api’s default is "all")', async () => {
      await post(everyone({ required: 'all' })).expect(200);
      await post(everyone()).expect(200);
      expect(webhookApi.requests.map((r) => (r.body as { required?: unknown }).required)).toEqual(['all', undefined]);
    });

    it.each<[number, string, object, Record<string, string>]>([
      [502, 'GOOGLE_UNAVAILABLE', { subaccountId: 'named' }, {}],
      [504, 'GOOGLE_TIMEOUT', { subaccountId: 'named' }, {}],
      [429, 'RATE_LIMITED', { subaccountId: 'named' }, { 'Retry-After': '12' }],
      [409, 'REAUTH_REQUIRED', { subaccountId: 'named' }, {}],
      [404, 'NOT_FOUND', { subaccountId: 'named', calendars: [{ googleCalendarId: 'x', error: 'notFound' }] }, {}],
    ])('webhook-api’s %i %s naming a participant goes to the SPA unchanged', async (status, code, details, headers) => {
      const envelope = { success: false, message: `Subaccount named: ${code}`, error: { code, details } };
      webhookApi.answerWith({ status, body: envelope, headers });
      const res = await post(everyone());
      expect(res.status).toBe(status);
      expect(res.body).toEqual(envelope);
      expect(res.headers['retry-after']).toBe(headers['Retry-After']);
    });
  });

  describe('whose subaccounts', () => {
    it('401 without a token or with a bad one, and nothing is called', async () => {
      for (const jwt of [null, 'not.a.jwt', E2E_SERVICE_TOKEN]) {
        const res = await post(everyone(), jwt);
        expect([res.status, res.body.error?.code]).toEqual([401, 'UNAUTHORIZED']);
      }
      expect(webhookApi.requests).toEqual([]);
    });

    it('403 when the token lacks one of the subaccounts, naming it, and nothing is called', async () => {
      const res = await post(everyone(), api.userToken(subaccounts.slice(0, 2)));
      expect([res.status, res.body.error]).toEqual([
        403,
        { code: 'FORBIDDEN', details: { subaccountIds: [subaccounts[2]] } },
      ]);
      expect(webhookApi.requests).toEqual([]);
    });

    it('an admin token reaches any subaccounts', async () => {
      await post(everyone(), api.userToken([], 'admin')).expect(200);
      expect(webhookApi.requests).toHaveLength(1);
    });
  });

  describe('409 NOT_CONNECTED naming the participant, nothing sent to webhook-api', () => {
    it('a participant without a google-calendar connector', async () => {
      const stranger = newSubaccountId();
      const res = await post(
        { ...RULES, participants: [{ subaccountId: subaccounts[0] }, { subaccountId: stranger }] },
        api.userToken([...subaccounts, stranger]),
      );
      expect([res.status, res.body.error]).toEqual([
        409,
        { code: 'NOT_CONNECTED', details: { subaccountId: stranger } },
      ]);
      expect(webhookApi.requests).toEqual([]);
    });

    it('a participant whose connector was never connected (the first such one, in order)', async () => {
      const [fresh, alsoFresh] = [newSubaccountId(), newSubaccountId()];
      await addConnector(fresh);
      await addConnector(alsoFresh);
      const res = await post(
        {
          ...RULES,
          participants: [{ subaccountId: subaccounts[0] }, { subaccountId: fresh }, { subaccountId: alsoFresh }],
        },
        api.userToken([...subaccounts, fresh, alsoFresh]),
      );
      expect([res.status, res.body.error]).toEqual([409, { code: 'NOT_CONNECTED', details: { subaccountId: fresh } }]);
      expect(webhookApi.requests).toEqual([]);
    });
  });

  describe('input rules (400 VALIDATION_FAILED, nothing sent to webhook-api)', () => {
    it.each<[string, () => object, string]>([
      [
        'a subaccount named twice (in any case)',
        () => ({
          ...RULES,
          participants: [{ subaccountId: subaccounts[0] }, { subaccountId: subaccounts[0].toUpperCase() }],
        }),
        'each subaccount once',
      ],
      ['required above the number of participants', () => everyone({ required: 4 }), 'required'],
      ['required 0', () => everyone({ required: 0 }), 'required'],
      ['required as a string number', () => everyone({ required: '2' }), 'required'],
      ['no participants', () => ({ ...RULES, participants: [] }), 'participants'],
      [
        '21 participants',
        () => ({ ...RULES, participants: Array.from({ length: 21 }, () => ({ subaccountId: newSubaccountId() })) }),
        'participants',
      ],
      ['a malformed subaccount id', () => ({ ...RULES, participants: [{ subaccountId: 'nope' }] }), 'subaccountId'],
      [
        'googleCalendarIds beside the participants',
        () => everyone({ googleCalendarIds: ['primary'] }),
        'should not exist',
      ],
      [
        'a calendarId in a participant (database-api finds it)',
        () => ({ ...RULES, participants: [{ subaccountId: subaccounts[0], calendarId: newSubaccountId() }] }),
        'should not exist',
      ],
      [
        'an object where a subaccount id belongs',
        () => ({ ...RULES, participants: [{ subaccountId: { $gt: '' } }] }),
        'subaccountId',
      ],
      ['an unknown timeZone', () => everyone({ timeZone: 'Mars/Olympus_Mons' }), 'IANA time zone'],
      [
        'a range over 90 days',
        () => everyone({ timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-04-01T00:00:01Z' }),
        '90 days',
      ],
    ])('%s', async (_case, body, problem) => {
      const res = await post(body(), api.userToken([], 'admin'));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      expect(res.body.message).toContain(problem);
      expect(webhookApi.requests).toEqual([]);
    });
  });

  it('is documented with its envelope and error answers', async () => {
    const doc = (await api.http().get('/api/docs-json').expect(200)).body;
    const operation = doc.paths[ROUTE]?.post;
    expect(operation?.operationId).toBe('GroupAvailabilityController_availability');
    expect(operation.summary).toEqual(expect.any(String));
    expect(Object.keys(operation.responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '409', '429', '431', '502', '504'].sort(),
    );
    expect(operation.responses['429'].headers).toHaveProperty('Retry-After');
    expect(operation.security).toEqual([{ 'user-jwt': [] }]);
    const bodyRef = operation.requestBody.content['application/json'].schema.$ref as string;
    const body = doc.components.schemas[bodyRef.split('/').pop() as string];
    expect(body.required).toEqual(
      expect.arrayContaining(['timeMin', 'timeMax', 'durationMinutes', 'timeZone', 'participants']),
    );
    expect(body.properties).not.toHaveProperty('googleCalendarIds');
    expect(body.properties.participants).toMatchObject({ type: 'array', minItems: 1, maxItems: 20 });
    expect(body.properties.required).toMatchObject({
      oneOf: [
        { type: 'string', enum: ['all'] },
        { type: 'integer', minimum: 1, maximum: 20 },
      ],
      default: 'all',
    });
  });
});
