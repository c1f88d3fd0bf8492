import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { WebhookReceiver } from './webhook-receiver';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

async function post(
  receiver: WebhookReceiver,
  body: string,
  options: { id?: string; at?: Date; signWith?: string; signature?: string; timeoutMs?: number } = {},
): Promise<number> {
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const at = options.at ?? new Date();
  const signature = options.signature ?? new Webhook(options.signWith ?? secret).sign(id, at, body);
  const response = await fetch(receiver.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  return response.status;
}

describe('WebhookReceiver', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start(secret);
  });
  afterEach(() => receiver.close());

  it('takes a correctly signed delivery with 204 and records its exact body and payload', async () => {
    const body = JSON.stringify({ type: 'calendar.events.changed', data: { sequence: 1 } });
    expect(await post(receiver, body, { id: 'msg_one' })).toBe(204);
    expect(receiver.delivered).toHaveLength(1);
    expect(receiver.delivered[0]).toMatchObject({
      id: 'msg_one',
      body,
      verified: true,
      status: 204,
      payload: { type: 'calendar.events.changed', data: { sequence: 1 } },
    });
  });

  it('refuses with 401 and records a wrong signature, another secret, a changed body or an old timestamp', async () => {
    const body = '{"a":1}';
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(await post(receiver, body, { signWith: other })).toBe(401);
    expect(await post(receiver, body, { signature: 'v1,AAAA' })).toBe(401);
    const id = 'msg_x';
    const at = new Date();
    const signed = new Webhook(secret).sign(id, at, body);
    expect(await post(receiver, '{"a":2}', { id, at, signature: signed })).toBe(401);
    expect(await post(receiver, body, { at: new Date(Date.now() - 10 * 60 * 1000) })).toBe(401);
    expect(receiver.requests.map((r) => [r.verified, r.status])).toEqual([
      [false, 401],
      [false, 401],
      [false, 401],
      [false, 401],
    ]);
    expect(receiver.delivered).toEqual([]);
  });

  it('answers what it is told for the given number of matching deliveries, then 204 again', async () => {
    receiver.answer(500, { times: 2, match: (p) => (p as { n: number }).n === 1 });
    expect(await post(receiver, '{"n":2}')).toBe(204);
    expect(await post(receiver, '{"n":1}')).toBe(500);
    expect(await post(receiver, '{"n":1}')).toBe(500);
    expect(await post(receiver, '{"n":1}')).toBe(204);
    receiver.answer(503, { forMs: 100 });
    expect(await post(receiver, '{"n":3}')).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await post(receiver, '{"n":3}')).toBe(204);
    receiver.answer(500);
    expect(await post(receiver, '{"n":4}')).toBe(500);
    receiver.heal();
    expect(await post(receiver, '{"n":4}')).toBe(204);
  });

  it('can hang (never answer) and waitFor sees requests taken later', async () => {
    receiver.answer('hang', { times: 1 });
    await expect(post(receiver, '{"n":1}', { timeoutMs: 300 })).rejects.toThrow();
    expect(receiver.requests[0]).toMatchObject({ verified: true, status: 0 });
    const waiting = receiver.waitFor((r) => r.body === '{"n":2}');
    expect(await post(receiver, '{"n":2}')).toBe(204);
    await expect(waiting).resolves.toMatchObject({ status: 204 });
    await expect(receiver.waitFor((r) => r.body === 'never', 50)).rejects.toThrow(/No matching webhook/);
  });
});
