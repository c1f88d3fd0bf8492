import type { IncomingMessage } from 'node:http';
import {
  MAX_REQUEST_TIMEOUT_MS,
  REQUEST_TIMEOUT_HEADER,
  currentDeadline,
  currentRequestId,
  incomingDeadline,
  remainingMs,
  withRequestContext,
  withRequestId,
  withoutDeadline,
} from './request-context';

const AT = 1_800_000_000_000;
const requestWith = (value?: string | string[]): IncomingMessage =>
  ({ headers: value === undefined ? {} : { [REQUEST_TIMEOUT_HEADER]: value } }) as unknown as IncomingMessage;

describe('incomingDeadline (X-Request-Timeout-Ms)', () => {
  it('is the time the caller waits, from when the request arrived, less a margin so the answer leaves in time', () => {
    // 250 ms margin, but at most a tenth of a short budget.
    expect(incomingDeadline(requestWith('10000'), AT)).toBe(AT + 10_000 - 250);
    expect(incomingDeadline(requestWith('1500'), AT)).toBe(AT + 1500 - 150);
    expect(incomingDeadline(requestWith('1'), AT)).toBe(AT + 1);
  });

  it(`is capped at ${MAX_REQUEST_TIMEOUT_MS} ms`, () => {
    expect(incomingDeadline(requestWith('999999999'), AT)).toBe(AT + MAX_REQUEST_TIMEOUT_MS - 250);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['zero', '0'],
    ['negative', '-5'],
    ['fractional', '1500.5'],
    ['with a unit', '1500ms'],
    ['with spaces', ' 1500'],
    ['exponent', '1e4'],
    ['too long', '1234567890'],
    ['sent twice', ['1000', '2000']],
    ['joined twice', '1000, 2000'],
  ])('sets no deadline when the header is %s (a service header: ignored, never a 400)', (_what, value) => {
    expect(incomingDeadline(requestWith(value), AT)).toBeUndefined();
  });
});

describe('the request context', () => {
  it('carries the request id and the deadline into the async work of the request', async () => {
    const deadline = Date.now() + 5000;
    const seen = await withRequestContext({ requestId: 'r-1', deadline }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: currentRequestId(), deadline: currentDeadline(), left: remainingMs() };
    });
    expect(seen.id).toBe('r-1');
    expect(seen.deadline).toBe(deadline);
    expect(seen.left).toBeGreaterThan(4000);
    expect(seen.left).toBeLessThanOrEqual(5000);
  });

  it('remainingMs is undefined without a deadline (background work, or a caller that sent none) and may go negative', () => {
    expect(remainingMs()).toBeUndefined();
    expect(withRequestId('r-2', () => remainingMs())).toBeUndefined();
    expect(withRequestContext({ requestId: 'r-3' }, () => remainingMs())).toBeUndefined();
    expect(withRequestContext({ requestId: 'r-4', deadline: 1000 }, () => remainingMs(1600))).toBe(-600);
  });

  it('withoutDeadline keeps the request id for the logs but lets work outlive the request', () => {
    const seen = withRequestContext({ requestId: 'r-5', deadline: Date.now() + 100 }, () =>
      withoutDeadline(() => ({ id: currentRequestId(), deadline: currentDeadline() })),
    );
    expect(seen).toEqual({ id: 'r-5', deadline: undefined });
    expect(withoutDeadline(() => currentRequestId())).toBeUndefined();
  });
});
