import { randomInt } from 'node:crypto';
import { CalendarError, calendarError } from './calendar-error';
import { AccountRecord } from './store';
import { SandboxConferenceData, SandboxEvent } from './types';

const MEET_ICON =
  'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png';
const INVALID_TYPE = calendarError(400, 'Invalid conference type value.', 'invalid');
const INVALID_DATA = calendarError(400, 'Invalid conference data.', 'invalid');

/** Google's conferenceDataVersion query parameter: 0 (the default) or 1. */
export type ConferenceDataVersion = 0 | 1;

function letters(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String.fromCharCode(97 + randomInt(26));
  return text;
}

/** A Meet conference as Google attaches it once a createRequest succeeded. */
function newMeet(requestId: string): SandboxConferenceData {
  const code = `${letters(3)}-${letters(4)}-${letters(3)}`;
  return {
    createRequest: {
      requestId,
      conferenceSolutionKey: { type: 'hangoutsMeet' },
      status: { statusCode: 'success' },
    },
    entryPoints: [
      { entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` },
    ],
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet', iconUri: MEET_ICON },
    conferenceId: code,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stores `data` on the event being written, with the hangoutLink Google derives from it. */
function attach(event: Record<string, unknown>, data: SandboxConferenceData | undefined): void {
  delete event['conferenceData'];
  delete event['hangoutLink'];
  if (data === undefined) return;
  event['conferenceData'] = structuredClone(data);
  const video = data.entryPoints?.find((e) => e.entryPointType === 'video');
  if (data.conferenceSolution?.key.type === 'hangoutsMeet' && video) event['hangoutLink'] = video.uri;
}

/**
 * Sets conferenceData and hangoutLink of `event` (about to be stored) as Google does. Version 0
 * ignores the body's conferenceData (the event keeps what it had). Version 1 copies a given
 * conference, removes it for null, and for a createRequest attaches a new Meet, unless the
 * requestId was seen before: then the conference made for it (the request is not repeated).
 */
export function applyConference(
  account: AccountRecord,
  event: Record<string, unknown>,
  body: Record<string, unknown>,
  previous: SandboxEvent | undefined,
  version: ConferenceDataVersion,
  mode: 'insert' | 'patch' | 'update',
): CalendarError | undefined {
  const given = body['conferenceData'];
  if (version === 0 || (given === undefined && mode === 'patch')) {
    attach(event, previous?.conferenceData);
    return undefined;
  }
  if (given === undefined || given === null) {
    attach(event, undefined);
    return undefined;
  }
  if (!isObject(given)) return INVALID_DATA;
  const request = given['createRequest'];
  if (request === undefined || request === null) {
    const solution = given['conferenceSolution'];
    const entryPoints = given['entryPoints'];
    if (!isObject(solution) || !isObject(solution['key']) || !Array.isArray(entryPoints) || entryPoints.length === 0) {
      return INVALID_DATA;
    }
    attach(event, given as SandboxConferenceData);
    return undefined;
  }
  if (!isObject(request)) return INVALID_DATA;
  const requestId = request['requestId'];
  if (typeof requestId !== 'string' || requestId === '') return INVALID_DATA;
  const key = request['conferenceSolutionKey'];
  if (!isObject(key) || key['type'] !== 'hangoutsMeet') return INVALID_TYPE;
  if (previous?.conferenceData?.createRequest?.requestId === requestId) {
    attach(event, previous.conferenceData);
    return undefined;
  }
  let conference = account.conferences.get(requestId);
  if (!conference) {
    conference = newMeet(requestId);
    account.conferences.set(requestId, conference);
  }
  attach(event, conference);
  return undefined;
}
