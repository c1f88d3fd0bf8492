import { newSubaccountId } from '@connector-service/testing';
import { ObjectId } from 'mongodb';
import { WebhookApiWithGoogle, eventually, newEmail, sleep } from './support/webhook-api-with-google';

const SUBACCOUNT_HEADER = 'X-Subaccount-Id';

/**
 * Defence in depth between the two apps: database-api names the subaccount it acts for on
 * every call about a connection, and webhook-api refuses a connection of another
 * subaccount as it refuses one that does not exist (409 NOT_CONNECTED: that subaccount has
 * no such connection). And the metadata updates' versions are counted in a scope no other
 * caller can name, one per connection epoch (consent).
 */
describe('webhook-api: a connection only for its own subaccount; metadata version scopes (e2e)', () => {
  let stack: WebhookApiWithGoogle;
  let subaccountId: string;
  let googleEmail: string;
  let calendarId: string;

  beforeAll(async () => {
    stack = await WebhookApiWithGoogle.start();
    subaccountId = newSubaccountId();
    googleEmail = newEmail('owner');
    ({ calendarId } = await stack.connect(subaccountId, googleEmail));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const connection = (id = calendarId) => `/api/google-calendar/connections/${id}`;
  const as = (subaccount: string) => ({ headers: { [SUBACCOUNT_HEADER]: subaccount } });

  describe('the subaccount asked about', () => {
    it('answers the connection to its own subaccount, and to a caller that names none', async () => {
      const own = await stack.asService('get', connection(), as(subaccountId)).expect(200);
      expect(own.body.data).toMatchObject({ calendarId, subaccountId, status: 'connected' });
      await stack.asService('get', connection(), as(subaccountId.toUpperCase())).expect(200);
      await stack.asService('get', connection()).expect(200);
      await stack.asService('get', `${connection()}/calendars`, as(subaccountId)).expect(200);
    });

    it.each<[string, 'get' | 'post' | 'delete', string, object | undefined]>([
      ['the status', 'get', '', undefined],
      ['the calendars', 'get', '/calendars', undefined],
      ['free/busy', 'post', '/freebusy', { timeMin: '2026-12-07T00:00:00Z', timeMax: '2026-12-08T00:00:00Z' }],
      ['the events', 'get', '/events', undefined],
      ['the disconnect', 'delete', '', undefined],
    ])(
      'refuses %s for another subaccount with 409 NOT_CONNECTED, touching nothing at Google',
      async (_what, method, suffix, body) => {
        const googleRequests = stack.google.requests.length;
        const res = await stack.asService(method, `${connection()}${suffix}`, { ...as(newSubaccountId()), body });
        expect(res.status).toBe(409);
        expect(res.body).toEqual({ success: false, message: expect.any(String), error: { code: 'NOT_CONNECTED' } });
        // Nothing about the other subaccount's connection is told.
        expect(JSON.stringify(res.body)).not.toContain(subaccountId);
        expect(JSON.stringify(res.body)).not.toContain(googleEmail);
        expect(stack.google.requests.length).toBe(googleRequests);
        expect(await stack.connectionOf(subaccountId)).toMatchObject({ status: 'connected' });
      },
    );

    it('answers an unknown connection as one that is not connected (409 NOT_CONNECTED), with or without a subaccount', async () => {
      const unknown = connection(new ObjectId().toHexString());
      for (const options of [{}, as(subaccountId)]) {
        for (const [method, path] of [
          ['get', unknown],
          ['delete', unknown],
          ['get', `${unknown}/calendars`],
        ] as const) {
          const res = await stack.asService(method, path, options);
          expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 409, 'NOT_CONNECTED']);
        }
      }
    });

    it('answers 400 for a malformed subaccount id or calendarId, and 401 before anything without the service token', async () => {
      const bad = await stack.asService('get', connection(), as('not-a-subaccount')).expect(400);
      expect(bad.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      expect(bad.body.message).toContain(SUBACCOUNT_HEADER);
      const malformed = await stack.asService('get', connection('not-an-id'), as(subaccountId)).expect(400);
      expect(malformed.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      for (const options of [as(newSubaccountId()), as('not-a-subaccount')]) {
        await stack.asService('get', connection(), { ...options, token: null }).expect(401);
      }
    });

    it('documents the header and the 409 on every route of a connection', async () => {
      const doc = (await stack.api.http().get('/api/docs-json').expect(200)).body;
      const operations = Object.entries(
        doc.paths as Record<string, Record<string, { parameters?: object[]; responses: object }>>,
      )
        .filter(([path]) => path.includes('{calendarId}'))
        .flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
        );
      expect(operations.length).toBeGreaterThanOrEqual(8);
      for (const { path, method, operation } of operations) {
        const header = (operation.parameters as { in: string; name: string; required?: boolean }[]).find(
          (parameter) => parameter.in === 'header' && parameter.name === SUBACCOUNT_HEADER,
        );
        expect([method, path, header?.required]).toEqual([method, path, false]);
        expect([method, path, Object.keys(operation.responses)]).toEqual([
          method,
          path,
          expect.arrayContaining(['409']),
        ]);
      }
    });
  });

  describe('the scope of the metadata versions', () => {
    it('is one per connection epoch: the same for every state of one consent, new with the next consent, and not the plain ids', async () => {
      const sub = newSubaccountId();
      const email = newEmail('scoped');
      const made = await stack.connect(sub, email);
      const connected = await stack.receiver.waitForDelivery(sub, { status: 'connected' });
      await stack.asService('delete', connection(made.calendarId), as(sub)).expect(200);
      const disconnected = await stack.receiver.waitForDelivery(sub, { status: 'disconnected' });
      await sleep(100);
      await stack.connect(sub, email);
      const reconnected = await eventually(() =>
        stack.receiver
          .deliveredFor(sub)
          .find((r) => r.body.metadata['status'] === 'connected' && r.at.getTime() > disconnected.at.getTime()),
      );

      const scopes = [connected, disconnected, reconnected].map((r) => r.body.versionScope);
      for (const scope of scopes) expect(scope).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
      expect(scopes[1]).toBe(scopes[0]);
      expect(scopes[2]).not.toBe(scopes[0]);
      expect(reconnected.body.metadata['calendarId']).toBe(made.calendarId);
      expect(reconnected.body.version as number).toBeGreaterThan(disconnected.body.version as number);
      for (const scope of scopes) {
        expect(scope).not.toContain(made.calendarId);
        expect(scope).not.toContain(sub);
      }
    });
  });
});
