import { HttpStatus, Injectable } from '@nestjs/common';
import {
  ConnectedGroupAvailabilityRequestDto,
  ConnectedParticipantDto,
  ConnectionStatus,
  ErrorCode,
  EVERY_PARTICIPANT,
  GroupAvailabilityResultDto,
} from '@connector-service/contracts';
import { DomainException, currentDeadline, currentRequestId, withRequestContext } from '@connector-service/app-core';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { connectionNotUsable } from '../connections/connection-errors';
import { BusyInterval, computeGroupSlots } from './availability';
import { AvailabilityService, slotRules } from './availability.service';

/**
 * How long before the request's deadline the participants still being asked are given up:
 * early enough that this service's 504, which names one of them, is the answer (not the
 * deadline interceptor's, which names none), and no Google call for the request starts after it.
 */
export const DEADLINE_HEAD_START_MS = 25;
/** A participant's GOOGLE_TIMEOUT this close to the (earlier) deadline is taken as the deadline's. */
const DEADLINE_SLACK_MS = 50;

/**
 * Availability of a group (the contract's "Availability of a group"): every participant's
 * connection is checked first (no Google call is made for a group that cannot be answered),
 * then their free/busy is asked of Google for all at once, bounded by the request's
 * deadline, and the slot engine lists each slot at least `required` of them are free for.
 * There is no partial answer: one participant that cannot be read fails the whole request,
 * with the status its own request would have had and `details.subaccountId` naming it.
 */
@Injectable()
export class GroupAvailabilityService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly availabilityService: AvailabilityService,
  ) {}

  async availability(request: ConnectedGroupAvailabilityRequestDto): Promise<GroupAvailabilityResultDto> {
    const { participants } = request;
    const connections = await this.checkConnections(participants);
    const busy = await this.busyOfEveryone(request, connections);
    const required =
      request.required === undefined || request.required === EVERY_PARTICIPANT ? participants.length : request.required;
    const slots = computeGroupSlots(slotRules(request, new Date()), busy, required);
    return {
      timeZone: request.timeZone,
      slots: slots.map(({ start, end, free }) => ({
        start,
        end,
        subaccountIds: free.map((index) => participants[index].subaccountId),
      })),
    };
  }

  /**
   * Each connection exists, is its participant's subaccount's (as ConnectionSubaccountGuard
   * checks for one) and is connected; else the first participant (in order) that fails
   * answers 409 NOT_CONNECTED, or REAUTH_REQUIRED when its Google access was lost. The
   * connections, in the participants' order, read at once.
   */
  private async checkConnections(participants: readonly ConnectedParticipantDto[]): Promise<ConnectionRecord[]> {
    const found = await this.connections.findByIds(participants.map((p) => p.calendarId));
    const byId = new Map(found.map((connection) => [connection._id.toString(), connection]));
    return participants.map((participant) => {
      const connection = byId.get(participant.calendarId);
      if (!connection || connection.subaccountId !== participant.subaccountId) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.NotConnected,
          `Subaccount ${participant.subaccountId} has no Google Calendar connection ${participant.calendarId}`,
          { subaccountId: participant.subaccountId },
        );
      }
      if (connection.status !== ConnectionStatus.Connected) {
        throw ofParticipant(connectionNotUsable(connection.status), participant.subaccountId);
      }
      return connection;
    });
  }

  /**
   * Every participant's busy time (in their order), asked at once. The first failure fails
   * them all; with a deadline, the first participant (in order) still unanswered
   * DEADLINE_HEAD_START_MS before it is named in a 504 GOOGLE_TIMEOUT, and its calls run
   * under that earlier deadline so none starts after the answer.
   */
  private busyOfEveryone(
    request: ConnectedGroupAvailabilityRequestDto,
    connections: readonly ConnectionRecord[],
  ): Promise<BusyInterval[][]> {
    const deadline = currentDeadline();
    const answerBy = deadline === undefined ? undefined : deadline - DEADLINE_HEAD_START_MS;
    const unanswered = new Set<string>();
    const queries = request.participants.map((participant, index) => {
      unanswered.add(participant.subaccountId);
      const ask = () =>
        this.availabilityService.busyTimes(
          participant.calendarId,
          request,
          participant.googleCalendarIds ?? ['primary'],
          connections[index],
        );
      return (answerBy === undefined ? ask() : withDeadline(answerBy, ask))
        .catch((error: unknown) => {
          // Cut off by the deadline itself: the deadline's answer below names who was late, the
          // first in order, whichever of the cut calls happened to fail first.
          if (answerBy !== undefined && isGoogleTimeout(error) && Date.now() >= answerBy - DEADLINE_SLACK_MS) {
            return untilTheDeadline();
          }
          throw ofParticipant(error, participant.subaccountId);
        })
        .finally(() => unanswered.delete(participant.subaccountId));
    });
    const everyone = Promise.all(queries);
    if (answerBy === undefined) return everyone;
    return settledBy(everyone, answerBy, () => {
      const late = request.participants.find((p) => unanswered.has(p.subaccountId));
      return new DomainException(
        HttpStatus.GATEWAY_TIMEOUT,
        ErrorCode.GoogleTimeout,
        `Google did not answer in time for subaccount ${late?.subaccountId ?? '(none)'}`,
        late ? { subaccountId: late.subaccountId } : undefined,
      );
    });
  }
}

/**
 * A participant's failure as the group's answer: the same status, code and headers (e.g.
 * Retry-After), its message prefixed, and `details.subaccountId` naming it beside the
 * failure's own details (an array, the unreadable calendars of a 404, as `calendars`).
 * Anything but a DomainException is left alone (the filter's 500).
 */
export function ofParticipant(error: unknown, subaccountId: string): unknown {
  if (!(error instanceof DomainException)) return error;
  const own = error.details;
  const details =
    own === undefined || own === null
      ? {}
      : Array.isArray(own)
        ? { calendars: own }
        : typeof own === 'object'
          ? own
          : { detail: own };
  return new DomainException(
    error.status,
    error.code,
    `Subaccount ${subaccountId}: ${error.message}`,
    { ...details, subaccountId },
    error.headers,
  );
}

/** Never settles (a new promise each time, so nothing piles up on one): the deadline answers instead. */
function untilTheDeadline(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function isGoogleTimeout(error: unknown): boolean {
  return error instanceof DomainException && error.code === ErrorCode.GoogleTimeout;
}

/** Runs `work` as the current request, but with the deadline `at`. */
function withDeadline<T>(at: number, work: () => T): T {
  return withRequestContext({ requestId: currentRequestId() ?? 'group-availability', deadline: at }, work);
}

/** `work`'s outcome, or `timedOut()`'s error at `at` (epoch ms) if it is not settled by then. */
function settledBy<T>(work: Promise<T>, at: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut()), Math.max(0, at - Date.now()));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
