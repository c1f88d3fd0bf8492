import {
  ApiProblemError,
  problemFromNetworkError,
  problemFromResponse,
  problemOf,
  retryAfterSeconds,
  userMessageFor,
} from './api-problem';

function envelope(code: string, message: string) {
  return { success: false, message, error: { code, requestId: 'req-42' } };
}

function response(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

describe('problemFromResponse', () => {
  it.each([
    [409, 'SLOT_TAKEN', 'slot_taken'],
    [409, 'REAUTH_REQUIRED', 'reauth_required'],
    [409, 'NOT_CONNECTED', 'not_connected'],
    [404, 'CONNECTOR_NOT_FOUND', 'not_connected'],
    [429, 'RATE_LIMITED', 'rate_limited'],
    [502, 'GOOGLE_UNAVAILABLE', 'other'],
    [422, 'IDEMPOTENCY_KEY_REUSED', 'other'],
  ])('sorts %i %s as %s', (status, code, kind) => {
    const problem = problemFromResponse(response(status), envelope(code, 'What the server said'));
    expect(problem).toMatchObject({ kind, code, status, message: 'What the server said', requestId: 'req-42' });
  });

  it('reads Retry-After in seconds', () => {
    const problem = problemFromResponse(response(429, { 'Retry-After': '17' }), envelope('RATE_LIMITED', 'Slow down'));
    expect(problem).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 17 });
  });

  it('says the status when the answer was no envelope (a proxy page, a wrong base URL)', () => {
    const problem = problemFromResponse(response(404), '<html>Not Found</html>');
    expect(problem).toEqual({ kind: 'other', status: 404, message: 'The request failed (HTTP 404).' });
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-12-07T09:00:00Z');

  it.each([
    ['30', 30],
    [' 0 ', 0],
    ['Mon, 07 Dec 2026 09:00:45 GMT', 45],
    ['Mon, 07 Dec 2026 08:59:00 GMT', 0],
  ])('reads %j as %i seconds', (header, seconds) => {
    expect(retryAfterSeconds(header, now)).toBe(seconds);
  });

  it.each([[null], ['soon'], ['-5'], ['1.5']])('answers undefined for %j', (header) => {
    expect(retryAfterSeconds(header, now)).toBeUndefined();
  });
});

describe('userMessageFor', () => {
  it('asks to wait the Retry-After seconds on a 429', () => {
    expect(userMessageFor({ kind: 'rate_limited', message: 'x', retryAfterSeconds: 30 })).toBe(
      'Google Calendar is busy. Please wait 30 seconds, then try again.',
    );
    expect(userMessageFor({ kind: 'rate_limited', message: 'x', retryAfterSeconds: 1 })).toContain('wait 1 second,');
    expect(userMessageFor({ kind: 'rate_limited', message: 'x' })).toContain('wait a moment');
  });

  it('asks to reconnect Google Calendar when access was lost or it is not connected', () => {
    expect(userMessageFor({ kind: 'reauth_required', message: 'x' })).toContain('reconnect Google Calendar');
    expect(userMessageFor({ kind: 'not_connected', message: 'x' })).toContain('reconnect Google Calendar');
  });

  it('says the slot was taken meanwhile', () => {
    expect(userMessageFor({ kind: 'slot_taken', message: 'x' })).toContain('taken meanwhile');
  });

  it("passes any other problem's envelope message on", () => {
    expect(userMessageFor({ kind: 'other', message: 'summary must be shorter than 1024 characters' })).toBe(
      'summary must be shorter than 1024 characters',
    );
  });
});

describe('problemOf', () => {
  it("answers an ApiProblemError's own problem, and a network problem for anything else thrown", () => {
    const known = problemFromResponse(response(409), envelope('SLOT_TAKEN', 'Taken'));
    expect(problemOf(new ApiProblemError(known))).toBe(known);
    expect(problemOf(new TypeError('Failed to fetch'))).toEqual(
      problemFromNetworkError(new TypeError('Failed to fetch')),
    );
    expect(problemOf(new TypeError('Failed to fetch'))).toEqual({
      kind: 'network',
      message: 'The server could not be reached (Failed to fetch).',
    });
  });
});
