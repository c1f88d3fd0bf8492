import {
  OpenApiDocument,
  requestBodySchema,
  responseSchema,
  schemaViolations,
  newSubaccountId,
} from '@connector-service/testing';
import { WebhookApiWithGoogle, newEmail } from './support/webhook-api-with-google';

const CONNECTION = '/api/google-calendar/connections/{calendarId}';

/**
 * Answers that must be what webhook-api's own OpenAPI document says (found by a fuzzer
 * reading the document from outside): error details of the documented shape, a PATCH that
 * changes nothing refused as the document says, and Node's own refusals in the envelope.
 */
describe('webhook-api answers as its OpenAPI document says (e2e)', () => {
  let stack: WebhookApiWithGoogle;
  let document: OpenApiDocument;
  let calendarId: string;
  let email: string;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start();
    email = newEmail('documented');
    ({ calendarId } = await stack.connect(newSubaccountId(), email));
    document = (await stack.api.http().get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => stack.stop());

  const base = () => `/api/google-calendar/connections/${calendarId}`;

  it('answers an availability with a calendar Google cannot read with a 404 whose details the document describes', async () => {
    const res = await stack
      .asService('post', `${base()}/availability`, {
        body: {
          timeMin: '2027-01-04T00:00:00Z',
          timeMax: '2027-01-05T00:00:00Z',
          durationMinutes: 30,
          timeZone: 'Europe/Berlin',
          googleCalendarIds: ['primary', 'nobody@group.calendar.google.com'],
        },
      })
      .expect(404);
    expect(res.body.error).toEqual({
      code: 'NOT_FOUND',
      details: [{ googleCalendarId: 'nobody@group.calendar.google.com', error: 'notFound' }],
    });
    const schema = responseSchema(document, `${CONNECTION}/availability`, 'post', 404);
    expect(schemaViolations(document, schema, res.body)).toEqual([]);
  });

  it.each([
    ['no body at all', undefined],
    ['an empty object', {}],
  ])('refuses a PATCH of an event with %s (400, nothing sent to Google), as the document says', async (_what, body) => {
    const created = await stack
      .asService('post', `${base()}/events`, {
        body: {
          summary: 'Stays',
          start: { dateTime: '2027-01-04T10:00:00Z' },
          end: { dateTime: '2027-01-04T11:00:00Z' },
        },
      })
      .expect(201);
    const patchesBefore = stack.google.requests.filter((r) => r.method === 'PATCH').length;
    const res = await stack
      .asService('patch', `${base()}/events/${created.body.data.id as string}`, { body })
      .expect(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    expect(stack.google.requests.filter((r) => r.method === 'PATCH')).toHaveLength(patchesBefore);

    const documented = requestBodySchema(document, `${CONNECTION}/events/{eventId}`, 'patch');
    expect(documented.required).toBe(true);
    expect(schemaViolations(document, documented.schema, {})).not.toEqual([]);
    expect(schemaViolations(document, documented.schema, { summary: 'Moved' })).toEqual([]);
  });

  it('answers a request line over Node’s limit with a 431 in the envelope', async () => {
    const res = await stack.api.http().get(`${base()}/calendars?pad=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({ success: false, message: expect.any(String), error: { code: 'HEADERS_TOO_LARGE' } });
  });
});
