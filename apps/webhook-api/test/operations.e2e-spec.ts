import { getFreePort } from '@connector-service/testing';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';

describe('webhook-api operations: callback rate limit, metrics (e2e)', () => {
  let api: WebhookApiUnderTest;

  beforeAll(async () => {
    api = await startWebhookApi({
      SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}`,
      CALLBACK_RATE_LIMIT_PER_MINUTE: '3',
    });
  });
  afterAll(() => api.close());

  it('rate-limits the public callback per client with a 429 in the envelope', async () => {
    const callback = () => api.http().get('/api/google-calendar/callback?state=unknown&code=x');
    for (let i = 0; i < 3; i += 1) await callback().expect(400);
    const limited = await callback().expect(429);
    expect(limited.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
  });

  it('exposes OAuth outcomes and the outbox depth in /metrics', async () => {
    const res = await api.http().get('/metrics').expect(200);
    expect(res.text).toMatch(/oauth_callback_outcomes_total\{outcome="invalid_state"\} 3/);
    expect(res.text).toMatch(/metadata_outbox_pending \d+/);
    expect(res.text).toContain('# TYPE metadata_delivery_attempts_total counter');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/google-calendar\/callback",status_code="429"\} 1/,
    );
  });
});
