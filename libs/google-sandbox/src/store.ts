import { createHash, randomBytes } from 'node:crypto';
import { accountIdFor, newAccessToken, newAuthorizationCode, newRefreshToken } from './ids';
import { isTimeZone } from './time';
import {
  SandboxAccount,
  SandboxCalendarAccessRole,
  SandboxCalendarInput,
  SandboxConferenceData,
  SandboxEvent,
} from './types';

export const DEFAULT_ACCOUNT_EMAIL = 'sandbox.user@example.com';
const CODE_TTL_MS = 10 * 60 * 1000;
const PICTURE = 'https://lh3.googleusercontent.com/a/default-user=s96-c';

export interface CalendarRecord {
  /** The account's e-mail for the primary calendar. */
  id: string;
  primary: boolean;
  summary: string;
  description?: string;
  timeZone: string;
  accessRole: SandboxCalendarAccessRole;
  /**
   * By event id: single events, recurring series, and the instances a client changed or
   * cancelled (by instance id). Cancelled events stay: their ids stay taken, a second delete is a 410.
   */
  events: Map<string, SandboxEvent>;
  /** Google's opaque id of the calendar's events collection in push channels; stable per calendar. */
  resourceId: string;
  /** Counts every change to an event of the calendar (the clock of its sync tokens). */
  changeSeq: number;
  /** By event id: the changeSeq of the event's last change (putEvent). */
  changedSeq: Map<string, number>;
  /** Raised by expireSyncTokens: tokens made under an older epoch answer 410. */
  syncEpoch: number;
}

/** A calendar with no events yet. */
function newCalendarRecord(
  account: { email: string; id: string },
  fields: Omit<CalendarRecord, 'events' | 'resourceId' | 'changeSeq' | 'changedSeq' | 'syncEpoch'>,
): CalendarRecord {
  const resourceId = createHash('sha256')
    .update(`${account.id}/${fields.id.toLowerCase()}`)
    .digest('base64url')
    .slice(0, 27)
    .replace(/[-_]/g, 'x');
  return { ...fields, events: new Map(), resourceId, changeSeq: 0, changedSeq: new Map(), syncEpoch: 0 };
}

/** Stores an event and records the change (sync tokens, push channels): the one way events are written. */
export function putEvent(calendar: CalendarRecord, id: string, event: SandboxEvent): void {
  calendar.events.set(id, event);
  calendar.changeSeq += 1;
  calendar.changedSeq.set(id, calendar.changeSeq);
}

export interface AccountRecord {
  email: string;
  id: string;
  name?: string;
  picture: string;
  /** By lower-cased id, the primary calendar first, then in the order they were added. */
  calendars: Map<string, CalendarRecord>;
  /** Meet conferences made by conferenceData.createRequest, by requestId (a reused requestId gets the same one). */
  conferences: Map<string, SandboxConferenceData>;
}

export function primaryCalendar(account: AccountRecord): CalendarRecord {
  const primary = account.calendars.get(account.email.toLowerCase());
  if (!primary) throw new Error(`no primary calendar for ${account.email}`);
  return primary;
}

const ACCESS_ROLES: readonly SandboxCalendarAccessRole[] = ['freeBusyReader', 'reader', 'writer', 'owner'];

/** Adds a secondary calendar to the account; throws for a bad id, zone or role (a test's mistake). */
export function addSecondaryCalendar(account: AccountRecord, input: SandboxCalendarInput): CalendarRecord {
  const id = input.id ?? `c_${randomBytes(32).toString('hex')}@group.calendar.google.com`;
  if (id === '' || id === 'primary' || /[/\s]/.test(id)) throw new Error(`invalid calendar id ${JSON.stringify(id)}`);
  if (account.calendars.has(id.toLowerCase())) throw new Error(`${account.email} already has a calendar ${id}`);
  const timeZone = input.timeZone ?? primaryCalendar(account).timeZone;
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone ${JSON.stringify(timeZone)}`);
  const accessRole = input.accessRole ?? 'owner';
  if (!ACCESS_ROLES.includes(accessRole)) throw new Error(`unknown access role ${JSON.stringify(accessRole)}`);
  const calendar = newCalendarRecord(account, {
    id,
    primary: false,
    summary: input.summary,
    ...(input.description === undefined ? {} : { description: input.description }),
    timeZone,
    accessRole,
  });
  account.calendars.set(id.toLowerCase(), calendar);
  return calendar;
}

/** How much a role allows, for comparisons: freeBusyReader 0 < reader 1 < writer 2 < owner 3 (-1: not a role). */
export function accessRank(role: string): number {
  return ACCESS_ROLES.indexOf(role as SandboxCalendarAccessRole);
}

/** A calendar of the account by id: `primary`, the account's e-mail (any case), or a secondary calendar's id. */
export function findCalendar(account: AccountRecord, calendarId: string): CalendarRecord | undefined {
  if (calendarId === 'primary') return primaryCalendar(account);
  return account.calendars.get(calendarId.toLowerCase());
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  scopes: string[];
  email: string;
  expiresAt: number;
  used: boolean;
  offline: boolean;
  forceConsent: boolean;
  nonce?: string;
}

export interface GrantRecord {
  clientId: string;
  email: string;
  scopes: string[];
  refreshToken?: string;
  revoked: boolean;
  accessTokens: string[];
}

export interface AccessTokenRecord {
  token: string;
  grant: GrantRecord;
  /** Scopes of this token (the code's consent; a refresh gets the grant's). */
  scopes: string[];
  expiresAt: number;
  /** Dropped by Google before its expiry (invalidateAccessTokens): answers 401, its grant lives on. */
  invalidated?: true;
}

export type NewCode = Omit<AuthCodeRecord, 'code' | 'expiresAt' | 'used'>;

/** Everything the fake Google remembers: accounts, codes, grants and tokens. */
export class SandboxStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly grants: GrantRecord[] = [];
  private readonly codes = new Map<string, AuthCodeRecord>();
  private readonly refreshTokens = new Map<string, GrantRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly issued: string[] = [];
  readonly revoked: string[] = [];

  constructor(accounts: SandboxAccount[]) {
    for (const account of accounts) {
      const record = this.ensureAccount(account.email, account);
      for (const calendar of account.calendars ?? []) addSecondaryCalendar(record, calendar);
    }
  }

  findAccount(email: string): AccountRecord | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  ensureAccount(email: string, details: Partial<SandboxAccount> = {}): AccountRecord {
    const existing = this.findAccount(email);
    if (existing) return existing;
    const record: AccountRecord = {
      email,
      id: details.id ?? accountIdFor(email),
      ...(details.name === undefined ? {} : { name: details.name }),
      picture: PICTURE,
      calendars: new Map(),
      conferences: new Map(),
    };
    record.calendars.set(
      email.toLowerCase(),
      newCalendarRecord(record, {
        id: email,
        primary: true,
        summary: email,
        timeZone: details.timeZone ?? 'UTC',
        accessRole: 'owner',
      }),
    );
    this.accounts.set(email.toLowerCase(), record);
    return record;
  }

  issueCode(details: NewCode): AuthCodeRecord {
    const record: AuthCodeRecord = {
      ...details,
      code: newAuthorizationCode(),
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    };
    this.codes.set(record.code, record);
    return record;
  }

  /** A code that can still be exchanged by this client, else undefined. */
  usableCode(code: string, clientId: string): AuthCodeRecord | undefined {
    const record = this.codes.get(code);
    if (!record || record.used || record.expiresAt <= Date.now() || record.clientId !== clientId) return undefined;
    return record;
  }

  /** Scopes the user already granted this client (for include_granted_scopes=true). */
  previouslyGranted(clientId: string, email: string): string[] {
    return this.liveGrants(clientId, email).flatMap((g) => g.scopes);
  }

  /**
   * The grant a code exchange lands in. Like Google, a refresh token comes only with
   * access_type=offline, and only on the first consent of the account unless prompt=consent:
   * otherwise the access token joins the account's existing offline grant.
   */
  grantFor(code: AuthCodeRecord): { grant: GrantRecord; fresh: boolean } {
    const existing = this.liveGrants(code.clientId, code.email).find((g) => g.refreshToken !== undefined);
    if (code.offline && existing && !code.forceConsent) {
      existing.scopes = [...new Set([...existing.scopes, ...code.scopes])];
      return { grant: existing, fresh: false };
    }
    const grant: GrantRecord = {
      clientId: code.clientId,
      email: code.email,
      scopes: code.scopes,
      revoked: false,
      accessTokens: [],
    };
    if (code.offline) {
      grant.refreshToken = newRefreshToken();
      this.refreshTokens.set(grant.refreshToken, grant);
      this.issued.push(grant.refreshToken);
    }
    this.grants.push(grant);
    return { grant, fresh: true };
  }

  issueAccessToken(grant: GrantRecord, ttlSeconds: number, scopes = grant.scopes): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: newAccessToken(),
      grant,
      scopes,
      expiresAt: Date.now() + ttlSeconds * 1000,
    };
    this.accessTokens.set(record.token, record);
    grant.accessTokens.push(record.token);
    this.issued.push(record.token);
    return record;
  }

  grantOfRefreshToken(token: string): GrantRecord | undefined {
    return this.refreshTokens.get(token);
  }

  accessTokenRecord(token: string): AccessTokenRecord | undefined {
    return this.accessTokens.get(token);
  }

  /** The access token's record if it is live: issued, unexpired, its grant not revoked. */
  validAccessToken(token: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.invalidated || record.grant.revoked || record.expiresAt <= Date.now()) return undefined;
    return record;
  }

  revokeGrant(grant: GrantRecord): void {
    if (grant.revoked) return;
    grant.revoked = true;
    if (grant.refreshToken !== undefined) this.revoked.push(grant.refreshToken);
    this.revoked.push(...grant.accessTokens);
  }

  expireAccessTokens(): void {
    const past = Date.now() - 1;
    for (const record of this.accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, past);
  }

  /** Ends every access token issued so far to the account's grants; returns how many there were. */
  invalidateAccessTokens(email: string): number {
    const key = email.toLowerCase();
    let count = 0;
    for (const grant of this.grants) {
      if (grant.email.toLowerCase() !== key) continue;
      for (const token of grant.accessTokens) {
        const record = this.accessTokens.get(token);
        if (record) {
          record.invalidated = true;
          count += 1;
        }
      }
    }
    return count;
  }

  private liveGrants(clientId: string, email: string): GrantRecord[] {
    const key = email.toLowerCase();
    return this.grants.filter((g) => !g.revoked && g.clientId === clientId && g.email.toLowerCase() === key);
  }
}
