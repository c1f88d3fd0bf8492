import { CalendarError, calendarError } from './calendar-error';
import { SandboxAttendee, SandboxEvent } from './types';

// The event fields whose writes Google does not take as sent: attendees (answers, `self`,
// `organizer`) and extendedProperties (merged per key on a patch).

const RESPONSE_STATUSES = ['needsAction', 'declined', 'tentative', 'accepted'];
const INVALID_ATTENDEE = calendarError(400, 'Invalid attendee email.', 'invalid');
const INVALID_RESPONSE = calendarError(400, 'Invalid attendee response status.', 'invalid');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Who is writing, and whose event it is: what Google needs to mark `self` and `organizer`. */
export interface AttendeeContext {
  accountEmail: string;
  organizerEmail: string;
  /**
   * The writer sets the list: the account on an event it organizes (or a test seeding one).
   * Otherwise it is an invitation in the account's calendar, which the account only answers.
   */
  setsList: boolean;
}

/**
 * `attendees` of a write as Google keeps them. The organizer (the account, on its own event)
 * sets the list; each entry gets a `responseStatus` (as given, else the one it had, else
 * `needsAction`, `accepted` for the organizer's own entry), `organizer: true` on the
 * organizer's entry and `self: true` on the account's, whatever the client sent for those two.
 * On an invitation the account may only answer for itself: the list stays as it was except
 * the account's own `responseStatus` and `comment`. undefined: no attendees.
 */
export function keptAttendees(
  given: unknown,
  previous: SandboxAttendee[] | undefined,
  context: AttendeeContext,
): SandboxAttendee[] | undefined | CalendarError {
  if (given === undefined || given === null) return context.setsList ? undefined : previous;
  if (!Array.isArray(given) || given.some((entry) => !isObject(entry) || typeof entry['email'] !== 'string')) {
    return INVALID_ATTENDEE;
  }
  const entries = given as SandboxAttendee[];
  if (entries.some((e) => e.responseStatus !== undefined && !RESPONSE_STATUSES.includes(e.responseStatus))) {
    return INVALID_RESPONSE;
  }
  if (!context.setsList) return ownAnswer(entries, previous ?? [], context.accountEmail);
  return entries.map((entry) => {
    const { self: _self, organizer: _organizer, ...fields } = entry;
    const before = previous?.find((p) => sameEmail(p.email, entry.email));
    const isOrganizer = sameEmail(entry.email, context.organizerEmail);
    return {
      ...fields,
      ...(isOrganizer ? { organizer: true } : {}),
      ...(sameEmail(entry.email, context.accountEmail) ? { self: true } : {}),
      responseStatus: entry.responseStatus ?? before?.responseStatus ?? (isOrganizer ? 'accepted' : 'needsAction'),
    };
  });
}

/** The previous list with only the account's own answer (responseStatus, comment) taken from `given`. */
function ownAnswer(given: SandboxAttendee[], previous: SandboxAttendee[], accountEmail: string): SandboxAttendee[] {
  const answer = given.find((entry) => sameEmail(entry.email, accountEmail));
  if (!answer) return previous;
  return previous.map((entry) =>
    sameEmail(entry.email, accountEmail)
      ? {
          ...entry,
          ...(answer.responseStatus === undefined ? {} : { responseStatus: answer.responseStatus }),
          ...(answer.comment === undefined ? {} : { comment: answer.comment }),
        }
      : entry,
  );
}

/**
 * An invitation's attendees as seeded: the organizer's entry and the account's (added when the
 * list lacks it), marked as Google marks them.
 */
export function invitationAttendees(given: SandboxAttendee[] | undefined, accountEmail: string): SandboxAttendee[] {
  const listed = given ?? [];
  return listed.some((entry) => sameEmail(entry.email, accountEmail)) ? listed : [...listed, { email: accountEmail }];
}

type PropertyKind = 'private' | 'shared';
const KINDS: PropertyKind[] = ['private', 'shared'];

/**
 * extendedProperties after a write. A patch merges each kind per key (a key set to null is
 * removed, a kind set to null is emptied), as Google documents; insert and update take what is
 * given. Empty kinds are left out; undefined when none is left.
 */
export function keptExtendedProperties(
  given: unknown,
  current: SandboxEvent['extendedProperties'] | undefined,
  mode: 'insert' | 'patch' | 'update',
): SandboxEvent['extendedProperties'] | undefined {
  const base = mode === 'patch' ? current : undefined;
  if (mode === 'patch' && given === undefined) return current;
  if (!isObject(given)) return undefined;
  const kept: Partial<Record<PropertyKind, Record<string, string>>> = {};
  for (const kind of KINDS) {
    const change = given[kind];
    if (change === null) continue;
    const merged: Record<string, unknown> = { ...(base?.[kind] ?? {}), ...(isObject(change) ? change : {}) };
    const entries = Object.entries(merged).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    if (entries.length > 0) kept[kind] = Object.fromEntries(entries);
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
