import { HttpStatus, applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '@connector-service/contracts';
import { ApiErrors } from '@connector-service/app-core';

/**
 * What each error status means on a calendar route, by the codes it may carry (for 400,
 * 502 and 504 added to ApiErrors' general words).
 */
const CALENDAR_ERRORS: ReadonlyArray<readonly [HttpStatus, string]> = [
  [
    HttpStatus.BAD_REQUEST,
    'VALIDATION_FAILED (also a bad Idempotency-Key); GOOGLE_REJECTED_REQUEST: Google refused it',
  ],
  [HttpStatus.FORBIDDEN, 'FORBIDDEN: the token may not act on this subaccount; GOOGLE_PERMISSION_DENIED'],
  [
    HttpStatus.NOT_FOUND,
    'CONNECTOR_NOT_FOUND: the subaccount has no google-calendar connector; NOT_FOUND: an event or calendar Google does not know',
  ],
  [
    HttpStatus.CONFLICT,
    'NOT_CONNECTED: never connected, or disconnected; REAUTH_REQUIRED: Google access lost (the user gets a reconnect e-mail); ' +
      'GOOGLE_CONFLICT; on a create SLOT_TAKEN (requireFree; details: the busy time) and IDEMPOTENCY_KEY_IN_PROGRESS',
  ],
  [
    HttpStatus.BAD_GATEWAY,
    'UPSTREAM_UNAVAILABLE: webhook-api unreachable or failing; GOOGLE_UNAVAILABLE: Google failing',
  ],
  [HttpStatus.GATEWAY_TIMEOUT, 'UPSTREAM_TIMEOUT: webhook-api did not answer in time; GOOGLE_TIMEOUT: Google did not'],
];

/**
 * The error answers of every calendar route (401 comes with UserAuth): 400, 403, 404, 409,
 * 429 with Retry-After, 502/504 for webhook-api or Google failing; with `idempotent` also
 * the 422 of a reused Idempotency-Key.
 */
export function ApiCalendarErrors(options: { idempotent?: boolean } = {}): MethodDecorator {
  return applyDecorators(
    ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.BAD_GATEWAY, HttpStatus.GATEWAY_TIMEOUT),
    ...CALENDAR_ERRORS.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })),
    ApiResponse({
      status: HttpStatus.TOO_MANY_REQUESTS,
      type: ErrorEnvelopeDto,
      description: 'RATE_LIMITED: Google rate-limited the account after our own retries',
      headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'string' } } },
    }),
    ...(options.idempotent
      ? [
          ApiResponse({
            status: HttpStatus.UNPROCESSABLE_ENTITY,
            type: ErrorEnvelopeDto,
            description: 'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used before with another body',
          }),
        ]
      : []),
  );
}

/** The `Idempotent-Replayed` header of a create answered from an earlier attempt with the same key. */
export function ApiReplayedHeader(): MethodDecorator {
  return ApiResponse({
    status: HttpStatus.CREATED,
    description: '',
    headers: {
      'Idempotent-Replayed': {
        description: '`true` when an earlier request with the same Idempotency-Key created the event',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  });
}
