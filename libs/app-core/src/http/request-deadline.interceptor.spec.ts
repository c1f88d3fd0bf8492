import { CallHandler, ExecutionContext, HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { firstValueFrom, from } from 'rxjs';
import { withRequestContext } from '../observability/request-context';
import { DomainException } from './domain.exception';
import { RequestDeadlineInterceptor } from './request-deadline.interceptor';
import { setTimeout as sleep } from 'node:timers/promises';

const context = {} as ExecutionContext;

/** A handler answering `value` after `ms`; `calls` counts how often it was started. */
function handler(ms: number, value = 'answer') {
  const state = { calls: 0, finished: false };
  const next: CallHandler = {
    handle: () => {
      state.calls += 1;
      return from(
        sleep(ms).then(() => {
          state.finished = true;
          return value;
        }),
      );
    },
  };
  return { next, state };
}

/** Runs the interceptor as a request with `deadlineInMs` (undefined: none) would. */
function intercept(next: CallHandler, deadlineInMs?: number): Promise<unknown> {
  const deadline = deadlineInMs === undefined ? undefined : Date.now() + deadlineInMs;
  return withRequestContext({ requestId: 'r', deadline }, () =>
    firstValueFrom(new RequestDeadlineInterceptor().intercept(context, next)),
  );
}

async function failureOf(answer: Promise<unknown>): Promise<DomainException> {
  const error = await answer.then(
    () => new Error('answered'),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DomainException)) throw error;
  return error;
}

describe('RequestDeadlineInterceptor', () => {
  it('leaves a request without a deadline alone, however long it takes', async () => {
    const { next } = handler(60);
    expect(await intercept(next)).toBe('answer');
  });

  it('passes an answer that comes before the deadline', async () => {
    const { next } = handler(10);
    expect(await intercept(next, 500)).toBe('answer');
  });

  it('answers 504 GOOGLE_TIMEOUT at the deadline while the handler is still working', async () => {
    const { next, state } = handler(400);
    const started = Date.now();
    const error = await failureOf(intercept(next, 100));
    const took = Date.now() - started;
    expect({ status: error.status, code: error.code }).toEqual({
      status: HttpStatus.GATEWAY_TIMEOUT,
      code: ErrorCode.GoogleTimeout,
    });
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(300);
    expect(state.finished).toBe(false);
  });

  it('does not start the handler when the deadline already passed', async () => {
    const { next, state } = handler(0);
    const error = await failureOf(intercept(next, -1));
    expect(error.code).toBe(ErrorCode.GoogleTimeout);
    expect(state.calls).toBe(0);
  });
});
