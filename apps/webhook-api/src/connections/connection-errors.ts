import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException, NotFoundDomainException } from '@connector-service/app-core';

export function connectionNotFound(calendarId: string): NotFoundDomainException {
  return new NotFoundDomainException(ErrorCode.ConnectionNotFound, `No Google Calendar connection ${calendarId}`);
}

/** The connection exists but cannot reach Google until the user reconnects. */
export function connectionNotUsable(status: string): DomainException {
  return status === 'disconnected'
    ? new DomainException(HttpStatus.CONFLICT, ErrorCode.Disconnected, 'The Google Calendar connection is disconnected')
    : new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.ReauthRequired,
        'Google access was lost (revoked or expired); the user must reconnect',
      );
}

export function googleUnavailable(detail: string): DomainException {
  return new DomainException(HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable, `Google is unavailable: ${detail}`);
}
