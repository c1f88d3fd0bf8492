import { getFreePort } from '@connector-service/testing';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';

describe('webhook-api health and API documents (e2e)', () => {
  let api: WebhookApiUnderTest;

  beforeAll(async () => {
    api = await startWebhookApi({ SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}` });
  });
  afterAll(() => api.close());

  it('answers /health with the database up', async () => {
    const res = await api.http().get('/health').expect(200);
    expect(res.body).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });

  it('documents the service routes with their error answers', async () => {
    await api.http().get('/api/docs').expect(200);
    const doc = (await api.http().get('/api/docs-json').expect(200)).body;
    const connect = doc.paths['/api/google-calendar/connect'].post;
    expect(Object.keys(connect.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(connect.security).toEqual([{ 'service-token': [] }]);
  });
});
