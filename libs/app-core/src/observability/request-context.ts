import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** How long the calling service still waits for the answer, in ms (database-api → webhook-api). */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';
/** The longest wait a caller may announce; a larger value is taken as this. */
export const MAX_REQUEST_TIMEOUT_MS = 120_000;
/** Taken off the caller's wait so our answer is on its way before the caller gives up. */
const DEADLINE_MARGIN_MS = 250;
const PLAIN_MILLISECONDS = /^\d{1,9}$/;

interface RequestContext {
  requestId: string;
  /** When the caller stops waiting for the answer (epoch ms, margin already taken off). */
  deadline?: number;
  /** When the request arrived (epoch ms), for an HTTP request being served. */
  receivedAt?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The id of the request being served (also inside the async work it started), if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * When the request being served must have answered (epoch ms), if its caller said how long
 * it waits; undefined outside a request, and for callers that set no bound.
 */
export function currentDeadline(): number | undefined {
  return storage.getStore()?.deadline;
}

/** When the HTTP request being served arrived (epoch ms); undefined outside one. */
export function currentRequestReceivedAt(): number | undefined {
  return storage.getStore()?.receivedAt;
}

/** What is left of the request's time (≤ 0 once it ran out), or undefined when it has no deadline. */
export function remainingMs(now = Date.now()): number | undefined {
  const deadline = currentDeadline();
  return deadline === undefined ? undefined : deadline - now;
}

/** Runs `work` as part of the request `requestId` (e.g. a background delivery of its outcome). */
export function withRequestId<T>(requestId: string | null | undefined, work: () => T): T {
  return requestId ? storage.run({ requestId }, work) : work();
}

/**
 * Runs `work` as the request `requestId` that must answer by `deadline` (none: unbounded),
 * which arrived at `receivedAt` (an HTTP request being served).
 */
export function withRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run({ ...context }, work);
}

/**
 * Runs `work` under the current request id but without its deadline: for work a request
 * starts and does not wait for (a reconnect e-mail), which may go on after the answer.
 */
export function withoutDeadline<T>(work: () => T): T {
  const requestId = currentRequestId();
  return requestId ? storage.run({ requestId }, work) : storage.exit(work);
}

/**
 * The id of an incoming request (Fastify's `genReqId`): the caller's `x-request-id` when
 * it is a sane token, else a new one. It is echoed on the answer and is the context of
 * everything the request does, so logs and calls to the other service carry it.
 */
export function incomingRequestId(request: IncomingMessage): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/**
 * The deadline an incoming request's `X-Request-Timeout-Ms` sets (epoch ms), counted from
 * `receivedAt`: the caller's wait (a positive integer of ms, at most MAX_REQUEST_TIMEOUT_MS)
 * less 250 ms, or less a tenth of it when that is smaller, so the answer leaves before the
 * caller gives up. Absent or malformed: undefined (no deadline). A service-to-service header
 * is not the end user's input: a bad value is ignored rather than refused with a 400.
 */
export function incomingDeadline(request: IncomingMessage, receivedAt = Date.now()): number | undefined {
  const offered = request.headers[REQUEST_TIMEOUT_HEADER];
  if (typeof offered !== 'string' || !PLAIN_MILLISECONDS.test(offered)) return undefined;
  const waitMs = Math.min(Number(offered), MAX_REQUEST_TIMEOUT_MS);
  if (waitMs < 1) return undefined;
  return receivedAt + waitMs - Math.min(DEADLINE_MARGIN_MS, Math.floor(waitMs / 10));
}
