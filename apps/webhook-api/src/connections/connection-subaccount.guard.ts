import { CanActivate, ExecutionContext, HttpStatus, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import {
  CALENDAR_ID_PATTERN,
  ErrorCode,
  ErrorEnvelopeDto,
  SUBACCOUNT_ID_HEADER,
  SUBACCOUNT_ID_PATTERN,
} from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import type { FastifyRequest } from 'fastify';
import { ConnectionRepository } from './connection.repository';

const SUBACCOUNT_ID_MESSAGE = `${SUBACCOUNT_ID_HEADER} must be a 24-hex-digit id`;

/**
 * The one check of every route on a connection (`:calendarId`): the connection exists and,
 * when the caller names the subaccount it acts for (`X-Subaccount-Id`, which database-api
 * always sends), is that subaccount's. Otherwise 409 `NOT_CONNECTED`, the same answer for
 * both, since for that subaccount there is no such connection: a connector pointed at
 * another subaccount's `calendarId` (a wrong or forged metadata update) reaches nothing of it.
 * A malformed `calendarId` is left to the validation pipe (400).
 */
@Injectable()
export class ConnectionSubaccountGuard implements CanActivate {
  constructor(private readonly connections: ConnectionRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { calendarId?: string } }>>();
    const calendarId = request.params.calendarId;
    if (calendarId === undefined || !CALENDAR_ID_PATTERN.test(calendarId)) return true;
    const subaccountId = askedSubaccount(request.headers[SUBACCOUNT_ID_HEADER.toLowerCase()]);
    const connection = await this.connections.findById(calendarId);
    if (!connection || (subaccountId !== undefined && connection.subaccountId !== subaccountId)) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.NotConnected,
        `There is no Google Calendar connection ${calendarId} for this subaccount`,
      );
    }
    return true;
  }
}

/** The subaccount the caller acts for (lowercased, as ids are stored), undefined when it names none. */
function askedSubaccount(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !SUBACCOUNT_ID_PATTERN.test(header)) {
    throw new DomainException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.ValidationFailed,
      `Invalid input: ${SUBACCOUNT_ID_MESSAGE}`,
      [{ field: SUBACCOUNT_ID_HEADER, message: SUBACCOUNT_ID_MESSAGE }],
    );
  }
  return header.toLowerCase();
}

/**
 * Routes on one connection: ConnectionSubaccountGuard, and its header and 409 documented.
 * Listed above `@ServiceAuth()` so the service token is checked first (401 before anything).
 */
export function ConnectionOfSubaccount(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(ConnectionSubaccountGuard),
    ApiHeader({
      name: SUBACCOUNT_ID_HEADER,
      required: false,
      description:
        'The subaccount the caller acts for (database-api always sends it): a connection of another subaccount answers 409 NOT_CONNECTED',
      schema: { type: 'string', pattern: SUBACCOUNT_ID_PATTERN.source },
    }),
    ApiResponse({
      status: HttpStatus.CONFLICT,
      type: ErrorEnvelopeDto,
      description: 'NOT_CONNECTED: no such connection for this subaccount, or it is not connected',
    }),
  );
}
