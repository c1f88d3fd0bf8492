import type { ErrorCode, ErrorEnvelope } from '@connector-service/api-client';

/**
 * What went wrong with a call to database-api, sorted by what the person can do about it.
 * The elements word their messages from this, never from raw statuses.
 */
export type ApiProblemKind =
  /** 409 SLOT_TAKEN: someone booked that time meanwhile; choose another. */
  | 'slot_taken'
  /** 429: Google (or our own limit) asks to wait `retryAfterSeconds`. */
  | 'rate_limited'
  /** 409 REAUTH_REQUIRED: Google access was lost; reconnect. */
  | 'reauth_required'
  /** 409 NOT_CONNECTED or 404 CONNECTOR_NOT_FOUND: nothing to work on until connected. */
  | 'not_connected'
  /** No answer at all (offline, DNS, CORS, aborted): the outcome is unknown. */
  | 'network'
  /** Anything else: the envelope's message says what. */
  | 'other';

export interface ApiProblem {
  readonly kind: ApiProblemKind;
  /** The envelope's message, or a stand-in when there was no envelope. */
  readonly message: string;
  readonly status?: number;
  readonly code?: ErrorCode;
  /** From `Retry-After` (seconds or an HTTP date), for 429 and 503. */
  readonly retryAfterSeconds?: number;
  /** The envelope's correlation id, worth showing to support. */
  readonly requestId?: string;
}

/** Thrown by the plain modules so callers can tell an API problem from a bug. */
export class ApiProblemError extends Error {
  constructor(readonly problem: ApiProblem) {
    super(problem.message);
    this.name = 'ApiProblemError';
  }
}

/** The problem an error answer describes: its status, the error envelope (if it had one) and `Retry-After`. */
export function problemFromResponse(response: Response, envelope: unknown, now: number = Date.now()): ApiProblem {
  const body = isErrorEnvelope(envelope) ? envelope : undefined;
  const code = body?.error.code;
  const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'), now);
  return {
    kind: kindOf(response.status, code),
    message: body?.message || `The request failed (HTTP ${response.status}).`,
    status: response.status,
    ...(code ? { code } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(body?.error.requestId ? { requestId: body.error.requestId } : {}),
  };
}

/** A call that got no answer (fetch rejected). Whether the server acted on it is unknown. */
export function problemFromNetworkError(error: unknown): ApiProblem {
  const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
  return { kind: 'network', message: `The server could not be reached${detail}.` };
}

/** The problem any thrown value stands for: an ApiProblemError's own, else a network failure. */
export function problemOf(error: unknown): ApiProblem {
  return error instanceof ApiProblemError ? error.problem : problemFromNetworkError(error);
}

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; a date in the past is 0.
 */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  // Only an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`): Date.parse would also read "-5" or "1.5" as dates.
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** A sentence for the person in front of the element, saying what to do next. */
export function userMessageFor(problem: ApiProblem): string {
  switch (problem.kind) {
    case 'slot_taken':
      return 'That time was taken meanwhile. The list now shows the times that are still free.';
    case 'rate_limited': {
      const wait =
        problem.retryAfterSeconds === undefined
          ? 'a moment'
          : `${problem.retryAfterSeconds} second${problem.retryAfterSeconds === 1 ? '' : 's'}`;
      return `Google Calendar is busy. Please wait ${wait}, then try again.`;
    }
    case 'reauth_required':
      return 'Access to Google Calendar was lost. Please reconnect Google Calendar, then try again.';
    case 'not_connected':
      return 'Google Calendar is not connected. Please reconnect Google Calendar, then try again.';
    case 'network':
      return 'The server could not be reached. Check your connection, then try again.';
    case 'other':
      return problem.message;
  }
}

function kindOf(status: number, code: ErrorCode | undefined): ApiProblemKind {
  if (code === 'SLOT_TAKEN') return 'slot_taken';
  if (code === 'REAUTH_REQUIRED') return 'reauth_required';
  if (code === 'NOT_CONNECTED' || code === 'CONNECTOR_NOT_FOUND') return 'not_connected';
  if (status === 429) return 'rate_limited';
  return 'other';
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { success?: unknown; message?: unknown; error?: { code?: unknown } };
  return (
    candidate.success === false &&
    typeof candidate.message === 'string' &&
    typeof candidate.error === 'object' &&
    candidate.error !== null &&
    typeof candidate.error.code === 'string'
  );
}
