import { HttpStatus } from '@nestjs/common';
import { ConnectionStatus, ErrorCode } from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';

/** No connection of that id: never connected (the contract's 409 NOT_CONNECTED, as for a disconnected one). */
export function connectionNotFound(calendarId: string): DomainException {
  return new DomainException(
    HttpStatus.CONFLICT,
    ErrorCode.NotConnected,
    `No Google Calendar connection ${calendarId}`,
  );
}

/** The connection exists but cannot reach Google until the user (re)connects. */
export function connectionNotUsable(status: ConnectionStatus): DomainException {
  return status === ConnectionStatus.ReauthRequired
    ? new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.ReauthRequired,
        'Google access was lost (revoked or expired); the user must reconnect',
      )
    : new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.NotConnected,
        'The Google Calendar connection is disconnected',
      );
}

/** A disconnect overtaken by a new consent: that consent stays connected. */
export function connectionChanged(calendarId: string): DomainException {
  return new DomainException(
    HttpStatus.CONFLICT,
    ErrorCode.ConnectionChanged,
    `Google Calendar connection ${calendarId} was authorized again while it was being disconnected; it stays connected with the new authorization (disconnect again to end it)`,
  );
}
