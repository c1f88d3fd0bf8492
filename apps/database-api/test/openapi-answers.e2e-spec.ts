import {
  OpenApiDocument,
  requestBodySchema,
  responseSchema,
  schemaViolations,
  newSubaccountId,
} from '@connector-service/testing';
import { DatabaseApiUnderTest, E2E_SERVICE_TOKEN, startDatabaseApi } from './support/database-api-app';
import { FakeWebhookApi, startFakeWebhookApi } from './support/fake-webhook-api';

const GOOGLE_CALENDAR = '/api/connectors/{subaccountId}/google-calendar';

/**
 * Answers that must be what database-api's own OpenAPI document says (found by a fuzzer
 * reading the document from outside): webhook-api's error details passed on in a documented
 * shape, a PATCH that changes nothing refused before it reaches webhook-api, and Node's own
 * refusals in the envelope.
 */
describe('database-api answers as its OpenAPI document says (e2e)', () => {
  let webhookApi: FakeWebhookApi;
  let api: DatabaseApiUnderTest;
  let document: OpenApiDocument;
  let subaccountId: string;

  beforeAll(async () => {
    webhookApi = await startFakeWebhookApi();
    api = await startDatabaseApi({ WEBHOOK_SERVER_URL: webhookApi.url });
    document = (await api.http().get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(async () => {
    await api.close();
    await webhookApi.close();
  });

  beforeEach(async () => {
    webhookApi.reset();
    subaccountId = newSubaccountId();
    await api
      .http()
      .post(`/api/connectors/${subaccountId}`)
      .set('Authorization', `Bearer ${api.userToken([subaccountId])}`)
      .send({ connectorId: 'google-calendar' })
      .expect(201);
    await api
      .http()
      .post(`/api/connectors/${subaccountId}/metadata/update`)
      .set('Authorization', `Bearer ${E2E_SERVICE_TOKEN}`)
      .send({ metadata: { calendarId: newSubaccountId(), isConnected: true, status: 'connected' } })
      .expect(200);
  });

  const asUser = (method: 'post' | 'patch', path: string) =>
    api
      .http()
      [method](`/api/connectors/${subaccountId}/google-calendar/${path}`)
      .set('Authorization', `Bearer ${api.userToken([subaccountId])}`);

  it("passes on webhook-api's availability 404 with details the document describes", async () => {
    webhookApi.answerWith({
      status: 404,
      body: {
        success: false,
        message: 'Google cannot read nobody@group.calendar.google.com',
        error: {
          code: 'NOT_FOUND',
          details: [{ googleCalendarId: 'nobody@group.calendar.google.com', error: 'notFound' }],
        },
      },
    });
    const res = await asUser('post', 'availability')
      .send({ timeMin: '2027-01-04T00:00:00Z', timeMax: '2027-01-05T00:00:00Z', durationMinutes: 30, timeZone: 'UTC' })
      .expect(404);
    expect(res.body.error.details).toEqual([
      { googleCalendarId: 'nobody@group.calendar.google.com', error: 'notFound' },
    ]);
    const schema = responseSchema(document, `${GOOGLE_CALENDAR}/availability`, 'post', 404);
    expect(schemaViolations(document, schema, res.body)).toEqual([]);
  });

  it.each([
    ['no body at all', undefined],
    ['an empty object', {}],
  ])(
    'refuses a PATCH of an event with %s (400) without asking webhook-api, as the document says',
    async (_what, body) => {
      const call = asUser('patch', 'events/c5m6q8p1h0t4k2r3');
      const res = await (body === undefined ? call : call.send(body)).expect(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      expect(webhookApi.requests).toEqual([]);

      const documented = requestBodySchema(document, `${GOOGLE_CALENDAR}/events/{eventId}`, 'patch');
      expect(documented.required).toBe(true);
      expect(schemaViolations(document, documented.schema, {})).not.toEqual([]);
      expect(schemaViolations(document, documented.schema, { summary: 'Moved' })).toEqual([]);
    },
  );

  it('answers a request line over Node’s limit with a 431 in the envelope', async () => {
    const res = await api.http().get(`/api/connectors/${subaccountId}?pad=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({ success: false, message: expect.any(String), error: { code: 'HEADERS_TOO_LARGE' } });
  });
});
