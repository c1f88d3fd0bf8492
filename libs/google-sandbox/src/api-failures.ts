import { ServerResponse } from 'node:http';
import { sendApiError } from './api-errors';
import { CALENDAR_PREFIX } from './calendar-api';
import { sendText } from './http-io';
import { SandboxApiFailure, SandboxApiFailureMatch } from './types';
import { USERINFO_PATHS } from './userinfo';

/** The calls failApiRequests can fail: Calendar v3 and userinfo (not the OAuth endpoints). */
export function isApiPath(path: string): boolean {
  return path.startsWith(CALENDAR_PREFIX) || USERINFO_PATHS.includes(path);
}

interface QueuedFailure {
  failure: SandboxApiFailure;
  method?: string;
  path?: string | RegExp;
  query?: RegExp;
}

/** Failures queued by failApiRequests; a request takes the oldest one that matches it. */
export class ApiFailureQueue {
  private readonly queue: QueuedFailure[] = [];

  get size(): number {
    return this.queue.length;
  }

  add(count: number, failure: SandboxApiFailure, match: SandboxApiFailureMatch = {}): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`failApiRequests: count must be an integer >= 0`);
    checkFailure(failure);
    const queued: QueuedFailure = { failure: { ...failure } };
    if (match.method !== undefined) queued.method = match.method.toUpperCase();
    if (typeof match.path === 'string') {
      if (!isApiPath(match.path)) {
        throw new Error(`failApiRequests: ${match.path} is not a Calendar v3 or userinfo path (/calendar/v3/...)`);
      }
      queued.path = match.path;
    } else if (match.path !== undefined) {
      // Without g/y a RegExp keeps no lastIndex between tests.
      queued.path = new RegExp(match.path.source, match.path.flags.replace(/[gy]/g, ''));
    }
    if (match.query !== undefined)
      queued.query = new RegExp(match.query.source, match.query.flags.replace(/[gy]/g, ''));
    for (let i = 0; i < count; i++) this.queue.push({ ...queued, failure: { ...queued.failure } });
  }

  take(method: string, path: string, query = ''): SandboxApiFailure | undefined {
    const index = this.queue.findIndex(
      (q) =>
        (q.method === undefined || q.method === method) &&
        (q.path === undefined || (typeof q.path === 'string' ? q.path === path : q.path.test(path))) &&
        (q.query === undefined || q.query.test(query)),
    );
    if (index < 0) return undefined;
    return this.queue.splice(index, 1)[0]?.failure;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

function checkFailure(failure: SandboxApiFailure): void {
  const bad = (what: string): never => {
    throw new Error(`failApiRequests: ${what}`);
  };
  switch (failure.kind) {
    case 'rateLimit':
      if (failure.reason !== 'rateLimitExceeded' && failure.reason !== 'userRateLimitExceeded') {
        bad(`unknown rateLimit reason ${String(failure.reason)}`);
      }
      return;
    case 'tooManyRequests':
      if (
        failure.retryAfterSeconds !== undefined &&
        (!Number.isInteger(failure.retryAfterSeconds) || failure.retryAfterSeconds < 0)
      ) {
        bad('retryAfterSeconds must be an integer >= 0');
      }
      return;
    case 'serverError':
      if (failure.status !== undefined && ![500, 502, 503].includes(failure.status)) {
        bad(`serverError status must be 500, 502 or 503`);
      }
      return;
    case 'hang':
      if (failure.ms !== undefined && !(Number.isFinite(failure.ms) && failure.ms >= 0)) {
        bad('hang ms must be a finite number >= 0');
      }
      return;
    default:
      bad(`unknown failure kind ${String((failure as { kind: unknown }).kind)}`);
  }
}

const RATE_LIMIT_MESSAGES = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'User Rate Limit Exceeded',
} as const;

/** Google's front end answers a 502 with this HTML page, not with the JSON envelope. */
const BAD_GATEWAY_HTML = `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 502 (Server Error)!!1</title>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>502.</b> <ins>That’s an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>
`;

/** Answers an injected failure other than `hang` (which only delays the normal answer). */
export function sendApiFailure(res: ServerResponse, failure: Exclude<SandboxApiFailure, { kind: 'hang' }>): void {
  switch (failure.kind) {
    case 'rateLimit': {
      const message = RATE_LIMIT_MESSAGES[failure.reason];
      return sendApiError(res, 403, message, { domain: 'usageLimits', reason: failure.reason, message });
    }
    case 'tooManyRequests':
      return sendApiError(
        res,
        429,
        'Rate Limit Exceeded',
        { domain: 'usageLimits', reason: 'rateLimitExceeded' },
        failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) },
      );
    case 'serverError': {
      const status = failure.status ?? 500;
      if (status === 502) return sendText(res, 502, BAD_GATEWAY_HTML, 'text/html; charset=UTF-8');
      const message = status === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.';
      return sendApiError(res, status, message, { reason: 'backendError' });
    }
  }
}
