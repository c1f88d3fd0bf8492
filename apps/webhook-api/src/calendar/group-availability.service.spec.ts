import { HttpStatus } from '@nestjs/common';
import {
  ConnectedGroupAvailabilityRequestDto,
  ConnectionStatus,
  ErrorCode,
  RequiredParticipants,
} from '@connector-service/contracts';
import { DomainException, currentDeadline, withRequestContext } from '@connector-service/app-core';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { AvailabilityService } from './availability.service';
import type { CalendarMetrics } from './calendar.metrics';
import type { CalendarBusy, FreeBusyService } from './free-busy.service';
import { DEADLINE_HEAD_START_MS, GroupAvailabilityService } from './group-availability.service';

const ANN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const BOB = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const CAT = 'cccccccccccccccccccccccc';
const calendarIdOf = (subaccountId: string) =>
  subaccountId.replace(/./g, (c) => String.fromCharCode(c.charCodeAt(0) + 3));

/** One pending free/busy question of the fake Google side. */
interface Question {
  calendarId: string;
  googleCalendarIds: readonly string[];
  /** The request deadline the question was asked under. */
  deadline: number | undefined;
  answer: (calendars: CalendarBusy[]) => void;
  fail: (error: unknown) => void;
}

/**
 * The service with the real AvailabilityService over a FreeBusyService whose answers each
 * test gives by hand (so it sees what is asked at once), and connections kept in a map.
 */
function setUp(connections: Record<string, Partial<ConnectionRecord> | null>) {
  const questions: Question[] = [];
  const freeBusy = {
    busyOf: (calendarId: string, _timeMin: Date, _timeMax: Date, googleCalendarIds: readonly string[]) =>
      new Promise<CalendarBusy[]>((answer, fail) =>
        questions.push({ calendarId, googleCalendarIds, deadline: currentDeadline(), answer, fail }),
      ),
  } as unknown as FreeBusyService;
  const repository = {
    findByIds: (calendarIds: readonly string[]) =>
      Promise.resolve(
        calendarIds
          .filter((id) => connections[id])
          .map((id) => ({ ...connections[id], _id: { toString: () => id } }) as unknown as ConnectionRecord),
      ),
  } as unknown as ConnectionRepository;
  const service = new GroupAvailabilityService(repository, new AvailabilityService(freeBusy, {} as CalendarMetrics));
  const questionFor = (subaccountId: string) => {
    const question = questions.find((q) => q.calendarId === calendarIdOf(subaccountId));
    if (!question) throw new Error(`${subaccountId} was not asked`);
    return question;
  };
  return { service, questions, questionFor };
}

const connected = (subaccountId: string, status = ConnectionStatus.Connected): Partial<ConnectionRecord> => ({
  subaccountId,
  status,
});
const everyoneConnected = () =>
  Object.fromEntries([ANN, BOB, CAT].map((id) => [calendarIdOf(id), connected(id)])) as Record<
    string,
    Partial<ConnectionRecord>
  >;

/** Monday 2030-01-07 (after now) 09:00–12:00 UTC, hourly slots, for the given participants. */
function request(subaccountIds: string[], required?: RequiredParticipants): ConnectedGroupAvailabilityRequestDto {
  return {
    timeMin: '2030-01-07T00:00:00Z',
    timeMax: '2030-01-08T00:00:00Z',
    durationMinutes: 60,
    timeZone: 'UTC',
    workingHours: [{ days: ['mon'], start: '09:00', end: '12:00' }],
    participants: subaccountIds.map((subaccountId) => ({ subaccountId, calendarId: calendarIdOf(subaccountId) })),
    ...(required === undefined ? {} : { required }),
  };
}

const busyAt = (hour: number): CalendarBusy[] => [
  {
    googleCalendarId: 'primary',
    busy: [{ start: Date.UTC(2030, 0, 7, hour), end: Date.UTC(2030, 0, 7, hour + 1) }],
  },
];
const hh = (hour: number) => String(hour).padStart(2, '0');
const slot = (hour: number, ...subaccountIds: string[]) => ({
  start: `2030-01-07T${hh(hour)}:00:00+00:00`,
  end: `2030-01-07T${hh(hour + 1)}:00:00+00:00`,
  subaccountIds,
});
/** Lets the service's pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function failureOf(work: Promise<unknown>): Promise<DomainException> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainException)) throw new Error(`expected a DomainException, got ${String(error)}`);
  return error;
}

describe('GroupAvailabilityService', () => {
  it("asks every participant's Google at once, then lists the slots enough of them are free for", async () => {
    const { service, questions, questionFor } = setUp(everyoneConnected());
    const answer = service.availability(request([ANN, BOB, CAT], 2));
    await settle();
    // All three asked before any answered.
    expect(questions.map((q) => q.calendarId)).toEqual([ANN, BOB, CAT].map(calendarIdOf));
    questionFor(CAT).answer(busyAt(9));
    questionFor(ANN).answer(busyAt(10));
    questionFor(BOB).answer(busyAt(9));
    await expect(answer).resolves.toEqual({
      timeZone: 'UTC',
      slots: [slot(10, BOB, CAT), slot(11, ANN, BOB, CAT)],
    });
  });

  it('required defaults to everyone; each participant is asked for its own calendars (default primary)', async () => {
    const { service, questionFor } = setUp(everyoneConnected());
    const body = request([ANN, BOB]);
    const answer = service.availability({
      ...body,
      participants: [
        { ...body.participants[0], googleCalendarIds: ['team@group.calendar.google.com'] },
        body.participants[1],
      ],
    });
    await settle();
    expect(questionFor(ANN).googleCalendarIds).toEqual(['team@group.calendar.google.com']);
    expect(questionFor(BOB).googleCalendarIds).toEqual(['primary']);
    questionFor(ANN).answer(busyAt(9));
    questionFor(BOB).answer(busyAt(10));
    await expect(answer).resolves.toEqual({ timeZone: 'UTC', slots: [slot(11, ANN, BOB)] });
  });

  it('one participant failing fails the request at once, with its status and headers, naming it', async () => {
    const { service, questionFor } = setUp(everyoneConnected());
    const answer = service.availability(request([ANN, BOB, CAT], 1));
    await settle();
    questionFor(ANN).answer(busyAt(9));
    // BOB fails while CAT has not answered (and never will): no waiting for CAT.
    questionFor(BOB).fail(
      new DomainException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.RateLimited,
        'Google is rate-limiting this account; try again later',
        { googleReason: 'rateLimitExceeded' },
        { 'Retry-After': '7' },
      ),
    );
    const failure = await failureOf(answer);
    expect(failure).toMatchObject({
      status: HttpStatus.TOO_MANY_REQUESTS,
      code: ErrorCode.RateLimited,
      message: `Subaccount ${BOB}: Google is rate-limiting this account; try again later`,
      details: { subaccountId: BOB, googleReason: 'rateLimitExceeded' },
      headers: { 'Retry-After': '7' },
    });
  });

  it("a calendar Google cannot read fails the request as the single availability's 404, naming the participant", async () => {
    const { service, questionFor } = setUp(everyoneConnected());
    const answer = service.availability(request([ANN, BOB], 1));
    await settle();
    questionFor(ANN).answer(busyAt(9));
    questionFor(BOB).answer([{ googleCalendarId: 'primary', busy: [], error: 'notFound' }]);
    const failure = await failureOf(answer);
    expect([failure.status, failure.code, failure.details]).toEqual([
      HttpStatus.NOT_FOUND,
      ErrorCode.NotFound,
      { subaccountId: BOB, calendars: [{ googleCalendarId: 'primary', error: 'notFound' }] },
    ]);
  });

  it.each<[string, Partial<ConnectionRecord> | null, ErrorCode]>([
    ['has no connection of that id', null, ErrorCode.NotConnected],
    ["names another subaccount's connection", connected(ANN), ErrorCode.NotConnected],
    ['is disconnected', connected(BOB, ConnectionStatus.Disconnected), ErrorCode.NotConnected],
    ['lost its Google access', connected(BOB, ConnectionStatus.ReauthRequired), ErrorCode.ReauthRequired],
  ])('a participant that %s is a 409 naming it, and nobody is asked', async (_case, record, code) => {
    const { service, questions } = setUp({ ...everyoneConnected(), [calendarIdOf(BOB)]: record });
    const failure = await failureOf(service.availability(request([ANN, BOB, CAT], 1)));
    expect([failure.status, failure.code, failure.details]).toEqual([HttpStatus.CONFLICT, code, { subaccountId: BOB }]);
    expect(questions).toEqual([]);
  });

  it('names the first participant still unanswered in a 504 before the deadline; its calls ran under that time', async () => {
    const { service, questions, questionFor } = setUp(everyoneConnected());
    const deadline = Date.now() + 300;
    const started = Date.now();
    const answer = withRequestContext({ requestId: 'r1', deadline }, () =>
      service.availability(request([ANN, BOB, CAT])),
    );
    await settle();
    expect(questions.map((q) => q.deadline)).toEqual([1, 2, 3].map(() => deadline - DEADLINE_HEAD_START_MS));
    questionFor(ANN).answer(busyAt(9));
    const failure = await failureOf(answer);
    expect(Date.now()).toBeLessThan(deadline);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300 - DEADLINE_HEAD_START_MS - 5);
    expect([failure.status, failure.code, failure.details]).toEqual([
      HttpStatus.GATEWAY_TIMEOUT,
      ErrorCode.GoogleTimeout,
      { subaccountId: BOB },
    ]);
  });

  it('a call cut off at the deadline does not name itself: the first participant unanswered (in order) is named', async () => {
    const { service, questionFor } = setUp(everyoneConnected());
    const deadline = Date.now() + 300;
    const answer = withRequestContext({ requestId: 'r2', deadline }, () =>
      service.availability(request([ANN, BOB, CAT])),
    );
    await settle();
    questionFor(ANN).answer(busyAt(9));
    // CAT's call is aborted at the deadline a moment before the service's own timer fires.
    setTimeout(
      () => questionFor(CAT).fail(new DomainException(HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout, 'late')),
      300 - DEADLINE_HEAD_START_MS - 10,
    );
    const failure = await failureOf(answer);
    expect([failure.code, failure.details]).toEqual([ErrorCode.GoogleTimeout, { subaccountId: BOB }]);
  });

  it('a GOOGLE_TIMEOUT well before the deadline (Google hung past the outbound timeout) names its participant at once', async () => {
    const { service, questionFor } = setUp(everyoneConnected());
    const deadline = Date.now() + 5000;
    const answer = withRequestContext({ requestId: 'r3', deadline }, () => service.availability(request([ANN, BOB])));
    await settle();
    questionFor(BOB).fail(
      new DomainException(HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout, 'Google did not answer in time'),
    );
    const failure = await failureOf(answer);
    expect(Date.now()).toBeLessThan(deadline - 4000);
    expect([failure.code, failure.details]).toEqual([ErrorCode.GoogleTimeout, { subaccountId: BOB }]);
  });

  it('without a deadline, waits for Google as long as it takes', async () => {
    const { service, questions, questionFor } = setUp(everyoneConnected());
    const answer = service.availability(request([ANN, BOB]));
    await settle();
    expect(questions.map((q) => q.deadline)).toEqual([undefined, undefined]);
    questionFor(ANN).answer(busyAt(9));
    await new Promise((resolve) => setTimeout(resolve, 100));
    questionFor(BOB).answer([]);
    await expect(answer).resolves.toEqual({ timeZone: 'UTC', slots: [slot(10, ANN, BOB), slot(11, ANN, BOB)] });
  });
});
