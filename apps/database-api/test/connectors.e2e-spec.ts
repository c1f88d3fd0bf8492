import { newSubaccountId } from '@connector-service/testing';
import { MongoClient } from 'mongodb';
import {
  DatabaseApiUnderTest,
  E2E_ROTATED_SERVICE_TOKEN,
  E2E_SERVICE_TOKEN,
  startDatabaseApi,
} from './support/database-api-app';

describe('database-api connectors (e2e, real database)', () => {
  let api: DatabaseApiUnderTest;
  let subaccountId: string;
  let token: string;

  beforeAll(async () => {
    api = await startDatabaseApi();
  });
  afterAll(() => api.close());

  beforeEach(() => {
    subaccountId = newSubaccountId();
    token = api.userToken([subaccountId]);
  });

  const addConnector = (body: object, sub = subaccountId, jwt = token) =>
    api.http().post(`/api/connectors/${sub}`).set('Authorization', `Bearer ${jwt}`).send(body);
  const updateMetadata = (body: object, sub = subaccountId, serviceToken = E2E_SERVICE_TOKEN) =>
    api.http().post(`/api/connectors/${sub}/metadata/update`).set('Authorization', `Bearer ${serviceToken}`).send(body);
  const getConnector = (connectorId = 'google-calendar') =>
    api.http().get(`/api/connectors/${subaccountId}/${connectorId}`).set('Authorization', `Bearer ${token}`);

  describe('add', () => {
    it('creates a connector (201) in the envelope, with empty metadata', async () => {
      const res = await addConnector({ connectorId: 'google-calendar' }).expect(201);
      expect(res.body).toEqual({
        success: true,
        data: expect.objectContaining({
          subaccountId,
          connectorId: 'google-calendar',
          name: 'Google Calendar',
          metadata: {},
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        }),
      });
    });

    it('keeps a given name and config', async () => {
      const res = await addConnector({ connectorId: 'slack', name: 'Team Slack', config: { channel: 'ops' } }).expect(
        201,
      );
      expect(res.body.data).toMatchObject({ connectorId: 'slack', name: 'Team Slack', config: { channel: 'ops' } });
    });

    it('answers 409 when the connector exists, and stores one document only', async () => {
      await addConnector({ connectorId: 'google-calendar' }).expect(201);
      const res = await addConnector({ connectorId: 'google-calendar' }).expect(409);
      expect(res.body).toMatchObject({ success: false, error: { code: 'CONNECTOR_EXISTS' } });
      const client = await MongoClient.connect(api.mongoUri);
      try {
        const count = await client.db().collection('connectorsubaccount').countDocuments({ subaccountId });
        expect(count).toBe(1);
      } finally {
        await client.close();
      }
    });

    it('treats concurrent adds of the same connector as one 201 and 409s', async () => {
      const answers = await Promise.all([1, 2, 3, 4].map(() => addConnector({ connectorId: 'zoom' })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    });
  });

  describe('list, get, delete', () => {
    it('lists every connector of the subaccount with its metadata, and no other tenant’s', async () => {
      await addConnector({ connectorId: 'google-calendar' }).expect(201);
      await addConnector({ connectorId: 'slack' }).expect(201);
      const other = newSubaccountId();
      await addConnector({ connectorId: 'hubspot' }, other, api.userToken([other])).expect(201);
      await updateMetadata({ metadata: { isConnected: true } }).expect(200);

      const res = await api
        .http()
        .get(`/api/connectors/${subaccountId}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(res.body.success).toBe(true);
      expect(res.body.data.map((c: { connectorId: string }) => c.connectorId).sort()).toEqual([
        'google-calendar',
        'slack',
      ]);
      const google = res.body.data.find((c: { connectorId: string }) => c.connectorId === 'google-calendar');
      expect(google.metadata).toEqual({ isConnected: true });
    });

    it('gets one connector, 404 for an unknown one', async () => {
      await addConnector({ connectorId: 'google-calendar' }).expect(201);
      const res = await getConnector().expect(200);
      expect(res.body.data).toMatchObject({ subaccountId, connectorId: 'google-calendar', metadata: {} });
      const missing = await getConnector('slack').expect(404);
      expect(missing.body).toMatchObject({ success: false, error: { code: 'CONNECTOR_NOT_FOUND' } });
    });

    it('deletes a connector; a second delete is a 404', async () => {
      await addConnector({ connectorId: 'google-calendar' }).expect(201);
      const del = () =>
        api.http().delete(`/api/connectors/${subaccountId}/google-calendar`).set('Authorization', `Bearer ${token}`);
      const res = await del().expect(200);
      expect(res.body).toEqual({ success: true, data: { connectorId: 'google-calendar', deleted: true } });
      await getConnector().expect(404);
      await del().expect(404);
    });
  });

  describe('metadata/update (service route)', () => {
    beforeEach(() => addConnector({ connectorId: 'google-calendar' }).expect(201));

    it('merges only the given keys; null is stored as null; other keys stay', async () => {
      await updateMetadata({ connectorId: 'google-calendar', metadata: { a: 1, nested: { x: 1 }, keep: 'me' } }).expect(
        200,
      );
      const res = await updateMetadata({ metadata: { a: 2, nested: null, added: ['x'] } }).expect(200);
      expect(res.body.data.applied).toBe(true);
      expect(res.body.data.connector.metadata).toEqual({ a: 2, nested: null, keep: 'me', added: ['x'] });
      expect((await getConnector().expect(200)).body.data.metadata).toEqual({
        a: 2,
        nested: null,
        keep: 'me',
        added: ['x'],
      });
    });

    it('is idempotent', async () => {
      const body = { metadata: { calendarId: 'abc', isConnected: true } };
      const first = await updateMetadata(body).expect(200);
      const second = await updateMetadata(body).expect(200);
      expect(second.body.data.connector.metadata).toEqual(first.body.data.connector.metadata);
    });

    it('ignores an update older than the last applied version (a late duplicate)', async () => {
      await updateMetadata({ metadata: { status: 'connected' }, version: 5 }).expect(200);
      const late = await updateMetadata({ metadata: { status: 'reauth_required' }, version: 4 }).expect(200);
      expect(late.body.data.applied).toBe(false);
      const again = await updateMetadata({ metadata: { status: 'stale' }, version: 5 }).expect(200);
      expect(again.body.data.applied).toBe(false);
      await updateMetadata({ metadata: { status: 'disconnected' }, version: 6 }).expect(200);
      expect((await getConnector()).body.data.metadata).toEqual({ status: 'disconnected' });
    });

    describe('versions are compared within one versionScope only', () => {
      const OWNER = 'owner-epoch-0123456789abcdef';

      it('orders the updates of one scope: an older or equal version is ignored', async () => {
        await updateMetadata({ metadata: { status: 'connected' }, version: 5, versionScope: OWNER }).expect(200);
        const late = await updateMetadata({ metadata: { status: 'stale' }, version: 4, versionScope: OWNER });
        expect(late.body.data.applied).toBe(false);
        const same = await updateMetadata({ metadata: { status: 'stale' }, version: 5, versionScope: OWNER });
        expect(same.body.data.applied).toBe(false);
        await updateMetadata({ metadata: { status: 'disconnected' }, version: 6, versionScope: OWNER }).expect(200);
        expect((await getConnector()).body.data.metadata).toEqual({ status: 'disconnected' });
      });

      it.each<[string, object]>([
        ['without a scope', {}],
        ['in a scope of its own', { versionScope: 'someone-else-0123456789' }],
      ])('a huge version from another caller (%s) does not lock the owner of the data out', async (_what, scope) => {
        await updateMetadata({ metadata: { status: 'connected' }, version: 2, versionScope: OWNER }).expect(200);
        const foreign = await updateMetadata({
          metadata: { calendarId: '68cf06a160d294db17c06871', status: 'bogus' },
          version: Number.MAX_SAFE_INTEGER,
          ...scope,
        }).expect(200);
        expect(foreign.body.data.applied).toBe(true);

        const owner = await updateMetadata({
          metadata: { calendarId: '68cf06a160d294db17c06872', status: 'reauth_required' },
          version: 3,
          versionScope: OWNER,
        }).expect(200);
        expect(owner.body.data.applied).toBe(true);
        expect((await getConnector()).body.data.metadata).toEqual({
          calendarId: '68cf06a160d294db17c06872',
          status: 'reauth_required',
        });
        // And the owner's own order still holds.
        await updateMetadata({ metadata: { status: 'connected' }, version: 4, versionScope: OWNER }).expect(200);
        const late = await updateMetadata({ metadata: { status: 'stale' }, version: 3, versionScope: OWNER });
        expect(late.body.data.applied).toBe(false);
      });

      it('applies an update that names a scope without a version (not ordered)', async () => {
        const res = await updateMetadata({ metadata: { note: 'unordered' }, versionScope: OWNER }).expect(200);
        expect(res.body.data.applied).toBe(true);
        expect((await getConnector()).body.data.metadata).toMatchObject({ note: 'unordered' });
      });

      it.each([
        [{ metadata: {}, version: 1, versionScope: 'short' }, 'versionScope'],
        [{ metadata: {}, version: 1, versionScope: 'x'.repeat(129) }, 'versionScope'],
        [{ metadata: {}, version: 1, versionScope: 'with spaces in it 0123' }, 'versionScope'],
        [{ metadata: {}, version: 1, versionScope: { $gt: '' } }, 'versionScope'],
      ])('refuses %j with a 400 naming the problem', async (body, problem) => {
        const res = await updateMetadata(body).expect(400);
        expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
        expect(res.body.message).toContain(problem);
      });
    });

    it('answers 404 for a connector that does not exist and never creates one', async () => {
      const res = await updateMetadata({ connectorId: 'slack', metadata: { a: 1 } }).expect(404);
      expect(res.body.error.code).toBe('CONNECTOR_NOT_FOUND');
      await getConnector('slack').expect(404);
      await updateMetadata({ metadata: { a: 1 } }, newSubaccountId()).expect(404);
    });

    it.each([
      [{ metadata: { 'a.b': 1 } }, 'contain "."'],
      [{ metadata: { $set: { a: 1 } } }, 'start with "$"'],
      [{ metadata: { '': 1 } }, 'empty key'],
      [{ metadata: { deep: { $gt: '' } } }, 'start with "$"'],
      [{ metadata: { list: [{ 'x.y': 1 }] } }, 'contain "."'],
      [{ metadata: { 'status ': 'x' } }, 'must not start or end with white space'],
      [{ metadata: { 'a\u0000b': 1 } }, 'NUL'],
      [{ metadata: { grid: [[1]] } }, 'array inside an array'],
      [{ metadata: [1, 2] }, 'must be an object'],
      [{ metadata: 'text' }, 'must be an object'],
      [{}, 'must be an object'],
      [{ metadata: {}, extra: true }, 'should not exist'],
      [{ metadata: {}, connectorId: { $gt: '' } }, 'connectorId'],
      [{ metadata: {}, version: 'one' }, 'version'],
    ])('refuses %j with a 400 naming the problem', async (body, problem) => {
      const res = await updateMetadata(body).expect(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
      expect(res.body.message).toContain(problem);
      expect((await getConnector()).body.data.metadata).toEqual({});
    });

    it('accepts the previous token during a rotation, and refuses a wrong, missing or user token', async () => {
      await updateMetadata({ metadata: { a: 1 } }, subaccountId, E2E_ROTATED_SERVICE_TOKEN).expect(200);
      for (const bad of ['wrong-token', token]) {
        const res = await updateMetadata({ metadata: { a: 2 } }, subaccountId, bad).expect(401);
        expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
      }
      await api
        .http()
        .post(`/api/connectors/${subaccountId}/metadata/update`)
        .send({ metadata: { a: 3 } })
        .expect(401);
      expect((await getConnector()).body.data.metadata).toEqual({ a: 1 });
    });
  });

  describe('input rules', () => {
    it.each([
      ['a malformed subaccount id', '/api/connectors/not-an-id'],
      ['a too short subaccount id', '/api/connectors/68cf05f060d294db17c0685'],
      ['an uppercase connector id', '/api/connectors/SUB/Google'],
      ['a connector id with a dot', '/api/connectors/SUB/google.calendar'],
      ['a too long connector id', `/api/connectors/SUB/${'a'.repeat(64)}`],
    ])('answers 400 for %s', async (_what, path) => {
      const res = await api
        .http()
        .get(path.replace('SUB', subaccountId))
        .set('Authorization', `Bearer ${api.userToken([], 'admin')}`)
        .expect(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    });

    it.each([
      [{ connectorId: { $gt: '' } }],
      [{ connectorId: 'slack', unknown: 1 }],
      [{ connectorId: 'slack', name: 42 }],
      [{ connectorId: 'slack', config: 'x' }],
      [{ connectorId: 'Not A Slug' }],
      [{}],
    ])('answers 400 for the body %j and stores nothing', async (body) => {
      const res = await addConnector(body).expect(400);
      expect(res.body).toMatchObject({
        success: false,
        error: { code: 'VALIDATION_FAILED', details: expect.any(Array) },
      });
      const list = await api.http().get(`/api/connectors/${subaccountId}`).set('Authorization', `Bearer ${token}`);
      expect(list.body.data).toEqual([]);
    });

    it('answers 400 for broken JSON', async () => {
      const res = await api
        .http()
        .post(`/api/connectors/${subaccountId}`)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send('{"connectorId": "slack",')
        .expect(400);
      expect(res.body.success).toBe(false);
    });

    it('answers 415 in the envelope for a body that is not JSON', async () => {
      const res = await api
        .http()
        .post(`/api/connectors/${subaccountId}`)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/xml')
        .send('<connectorId>slack</connectorId>')
        .expect(415);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    });

    it('answers 413 for a 5 MB body', async () => {
      const res = await api
        .http()
        .post(`/api/connectors/${subaccountId}/metadata/update`)
        .set('Authorization', `Bearer ${E2E_SERVICE_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ metadata: { blob: 'x'.repeat(5 * 1024 * 1024) } }))
        .expect(413);
      expect(res.body).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('answers unknown routes with a 404 envelope', async () => {
      const res = await api.http().get('/api/nope').expect(404);
      expect(res.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    });
  });
});
