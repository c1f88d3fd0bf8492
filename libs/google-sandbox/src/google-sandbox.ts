import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { sendApiError, sendNotFound } from './api-errors';
import { ApiFailureQueue, isApiPath, sendApiFailure } from './api-failures';
import { handleAuthorize, handleDecision } from './authorize';
import { CALENDAR_PREFIX, handleCalendar } from './calendar-api';
import { changeEvent, deleteEvent, insertEvent } from './calendar-events';
import { DECISION_PATH } from './consent-page';
import { RouteHandler, SandboxContext } from './context';
import {
  BodyTooLargeError,
  SandboxHttpRequest,
  formParams,
  isJsonBody,
  paramsToRecord,
  parseJsonBody,
  readBody,
  sendJson,
} from './http-io';
import { IdTokenSigner } from './id-token';
import { PushChannels } from './push-channels';
import { handleRevoke } from './revoke-endpoint';
import { AccountRecord, CalendarRecord, GrantRecord, SandboxStore, addSecondaryCalendar, findCalendar } from './store';
import { handleToken, tokenRequestFields } from './token-endpoint';
import {
  GoogleSandboxOptions,
  SandboxApiFailure,
  SandboxApiFailureMatch,
  SandboxCalendarInput,
  SandboxChannel,
  SandboxConsentDecision,
  SandboxEvent,
  SandboxEventInput,
  SandboxInvitationInput,
  SandboxPush,
  SandboxRequestLog,
  SandboxTokenFailure,
} from './types';
import { handleUserinfo } from './userinfo';

export const AUTH_PATH = '/o/oauth2/v2/auth';
export const TOKEN_PATH = '/token';
export const REVOKE_PATH = '/revoke';

/** What an app sets to use the sandbox instead of Google (GoogleSandbox.googleVariables). */
export type GoogleVariable =
  | 'GOOGLE_CLIENT_ID'
  | 'GOOGLE_CLIENT_SECRET'
  | 'GOOGLE_OAUTH_AUTH_URL'
  | 'GOOGLE_OAUTH_TOKEN_URL'
  | 'GOOGLE_OAUTH_REVOKE_URL'
  | 'GOOGLE_API_ROOT_URL';

export interface GoogleSandboxEndpoints {
  /** GOOGLE_OAUTH_AUTH_URL: `http://127.0.0.1:PORT/o/oauth2/v2/auth` */
  authUrl: string;
  /** GOOGLE_OAUTH_TOKEN_URL: `http://127.0.0.1:PORT/token` */
  tokenUrl: string;
  /** GOOGLE_OAUTH_REVOKE_URL: `http://127.0.0.1:PORT/revoke` */
  revokeUrl: string;
  /** GOOGLE_API_ROOT_URL (googleapis `rootUrl`): `http://127.0.0.1:PORT/` */
  apiRootUrl: string;
  /** For OAuth2Client `endpoints.oauth2FederatedSignonPemCertsUrl` (verifyIdToken). */
  pemCertsUrl: string;
  /** JWKS of the id_token signing key. */
  jwksUrl: string;
}

/**
 * A local fake Google that speaks Google's wire format for OAuth 2.0 (consent, token, revoke),
 * userinfo and the Calendar v3 calls of our connector, so the real googleapis and
 * google-auth-library clients can run against it. Built on node:http, loopback only by default.
 */
export class GoogleSandbox {
  readonly baseUrl: string;
  readonly endpoints: GoogleSandboxEndpoints;
  /** Every request, oldest first. The same array for the sandbox's life. */
  readonly requests: SandboxRequestLog[] = [];

  private readonly store: SandboxStore;
  private readonly idTokens = new IdTokenSigner();
  private readonly context: SandboxContext;
  private readonly channelRegistry: PushChannels;
  private autoConsent: boolean;
  private nextConsent: SandboxConsentDecision | undefined;
  private readonly tokenFailures: SandboxTokenFailure[] = [];
  private tokenDelay = 0;
  private readonly apiFailures = new ApiFailureQueue();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Calendars unshared from an account (unshareCalendar), by unsharedKey. */
  private readonly unsharedCalendars = new Map<string, CalendarRecord>();
  /** Log entries of requests not answered yet, so stop() can mark them before it returns. */
  private readonly unanswered = new Set<SandboxRequestLog>();
  /** Requests open now, and the most open at once since start or resetMaxConcurrentRequests(). */
  private open = 0;
  private mostOpen = 0;
  private readonly routes: Record<string, RouteHandler> = {
    [`GET ${AUTH_PATH}`]: handleAuthorize,
    [`GET /o/oauth2/auth`]: handleAuthorize,
    [`POST ${DECISION_PATH}`]: handleDecision,
    [`POST ${TOKEN_PATH}`]: handleToken,
    [`POST ${REVOKE_PATH}`]: handleRevoke,
    ['GET /oauth2/v2/userinfo']: handleUserinfo,
    ['GET /userinfo/v2/me']: handleUserinfo,
    ['GET /oauth2/v1/certs']: (_req, res) => sendJson(res, 200, this.idTokens.pemCerts()),
    ['GET /oauth2/v3/certs']: (_req, res) => sendJson(res, 200, this.idTokens.jwks()),
  };

  private constructor(
    private readonly server: Server,
    port: number,
    host: string,
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly options: GoogleSandboxOptions,
  ) {
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `http://${shownHost}:${port}/`;
    this.endpoints = {
      authUrl: `http://${shownHost}:${port}${AUTH_PATH}`,
      tokenUrl: `http://${shownHost}:${port}${TOKEN_PATH}`,
      revokeUrl: `http://${shownHost}:${port}${REVOKE_PATH}`,
      apiRootUrl: this.baseUrl,
      pemCertsUrl: `http://${shownHost}:${port}/oauth2/v1/certs`,
      jwksUrl: `http://${shownHost}:${port}/oauth2/v3/certs`,
    };
    this.autoConsent = options.autoConsent ?? false;
    this.store = new SandboxStore(options.accounts ?? []);
    // A channel's account must still have its calendar (not deleted, not unshared) to hear of it.
    this.channelRegistry = new PushChannels(this.baseUrl, options.log, (email, calendar) => {
      const account = this.store.findAccount(email);
      return account !== undefined && findCalendar(account, calendar.id) === calendar;
    });
    this.context = {
      channels: this.channelRegistry,
      store: this.store,
      clientId,
      clientSecret,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3599,
      idTokens: this.idTokens,
      autoConsent: () => this.autoConsent,
      takeNextConsent: () => {
        const decision = this.nextConsent;
        this.nextConsent = undefined;
        return decision;
      },
      takeTokenFailure: () => this.tokenFailures.shift(),
      tokenDelayMs: () => this.tokenDelay,
      sleep: (ms) => this.sleep(ms),
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          if (error instanceof BodyTooLargeError) sendApiError(res, 413, 'Request Entity Too Large');
          else sendApiError(res, 500, `Sandbox failure: ${error instanceof Error ? error.message : String(error)}`);
        } else {
          res.destroy();
        }
      });
    });
  }

  static async start(options: GoogleSandboxOptions = {}): Promise<GoogleSandbox> {
    const host = options.host ?? '127.0.0.1';
    // Google keeps an idle connection open for minutes and sends no Keep-Alive hint. Node
    // advertises this timeout as one, and undici keeps a connection for the hint less 1 s: with
    // 1 s, every call to the sandbox opened a new connection, which Google's clients never pay.
    const server = createServer({ keepAliveTimeout: 65_000 });
    // A client dropping its connection must not crash the process.
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new GoogleSandbox(
      server,
      port,
      host,
      options.clientId ?? 'sandbox-client-id',
      options.clientSecret ?? 'sandbox-client-secret',
      options,
    );
  }

  /**
   * The variables the connector's webhook-api reads to reach Google (CONTRACT.md), pointed at
   * this sandbox. GOOGLE_REDIRECT_URI is not among them: it is the app's own callback, and the
   * sandbox redirects to whatever http(s) URI the consent names.
   */
  googleVariables(): Record<GoogleVariable, string> {
    return {
      GOOGLE_CLIENT_ID: this.clientId,
      GOOGLE_CLIENT_SECRET: this.clientSecret,
      GOOGLE_OAUTH_AUTH_URL: this.endpoints.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: this.endpoints.tokenUrl,
      GOOGLE_OAUTH_REVOKE_URL: this.endpoints.revokeUrl,
      GOOGLE_API_ROOT_URL: this.endpoints.apiRootUrl,
    };
  }

  // ---- test controls ----

  setAutoConsent(on: boolean): void {
    this.autoConsent = on;
  }

  /** Overrides the user for the next consent only (auto-consent or consent-page submission). */
  setNextConsent(decision: SandboxConsentDecision): void {
    this.nextConsent = { ...decision };
  }

  /** The next `count` POSTs to the token endpoint answer `response` instead (before any check). */
  failTokenRequests(count: number, response: SandboxTokenFailure): void {
    for (let i = 0; i < count; i++) this.tokenFailures.push({ ...response });
  }

  /** Delays every token-endpoint answer by `ms` (0 to stop). */
  setTokenDelay(ms: number): void {
    this.tokenDelay = Math.max(0, ms);
  }

  /**
   * The next `count` Calendar v3 / userinfo calls that match `match` (method, exact path or
   * RegExp; default: every such call) fail as `failure` says, in Google's wire format, before
   * any check of the token. Each call takes the oldest queued failure it matches.
   */
  failApiRequests(count: number, failure: SandboxApiFailure, match?: SandboxApiFailureMatch): void {
    this.apiFailures.add(count, failure, match);
  }

  /** Drops the failures failApiRequests queued that no call has taken yet. */
  clearApiFailures(): void {
    this.apiFailures.clear();
  }

  /** How many queued API failures no call has taken yet. */
  pendingApiFailures(): number {
    return this.apiFailures.size;
  }

  /**
   * The most requests (of any kind) the sandbox was handling at once since it started or
   * resetMaxConcurrentRequests(): a call counts from its arrival until it was answered or its
   * connection closed. Tells how many calls a client had in flight, which timestamps cannot.
   */
  maxConcurrentRequests(): number {
    return this.mostOpen;
  }

  /** Starts counting maxConcurrentRequests() again, from the requests open now. */
  resetMaxConcurrentRequests(): void {
    this.mostOpen = this.open;
  }

  /**
   * As when Google drops access tokens before their expiry: every access token issued so far
   * to the account answers 401, while its refresh token still works and refreshed access tokens
   * are valid. Throws when the account was never issued an access token.
   */
  invalidateAccessTokens(email: string): void {
    if (this.store.invalidateAccessTokens(email) === 0) {
      throw new Error(`GoogleSandbox.invalidateAccessTokens: no access token was issued to ${email}`);
    }
  }

  /**
   * As if the user removed the app in their Google account: an e-mail ends every grant of
   * that account, a token (refresh or access) ends its grant. Throws when nothing matches.
   */
  revokeGrant(emailOrRefreshToken: string): void {
    const grants = this.grantsOf(emailOrRefreshToken).filter((g) => !g.revoked);
    if (grants.length === 0)
      throw new Error(`GoogleSandbox.revokeGrant: no live grant for ${describe(emailOrRefreshToken)}`);
    for (const grant of grants) this.store.revokeGrant(grant);
  }

  /** Every access token issued so far is expired now (API calls answer 401); refresh still works. */
  expireAccessTokens(): void {
    this.store.expireAccessTokens();
  }

  tokenRequests(grantType?: 'authorization_code' | 'refresh_token'): SandboxRequestLog[] {
    return this.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === TOKEN_PATH &&
        (grantType === undefined || r.form?.['grant_type'] === grantType),
    );
  }

  /** Every access and refresh token ever issued, oldest first. */
  issuedTokens(): string[] {
    return [...this.store.issued];
  }

  /** Every refresh and access token whose grant was revoked (via /revoke or revokeGrant). */
  revokedTokens(): string[] {
    return [...this.store.revoked];
  }

  /**
   * Adds a secondary calendar to the account (created on the fly if unknown) and returns its id;
   * calendarList, calendars.get, events.* and freeBusy then know it. Throws for an id the account
   * already has, an unknown time zone or access role.
   */
  addCalendar(email: string, calendar: SandboxCalendarInput): string {
    try {
      return addSecondaryCalendar(this.store.ensureAccount(email), calendar).id;
    } catch (error) {
      throw new Error(`GoogleSandbox.addCalendar: ${(error as Error).message}`);
    }
  }

  /** As if the calendar were deleted in Google: every call naming it answers 404 (freeBusy: notFound). */
  removeCalendar(email: string, calendarId: string): void {
    const account = this.store.findAccount(email);
    const calendar = account && findCalendar(account, calendarId);
    if (!account || !calendar) throw new Error(`GoogleSandbox.removeCalendar: ${email} has no calendar ${calendarId}`);
    if (calendar.primary) throw new Error('GoogleSandbox.removeCalendar: the primary calendar cannot be removed');
    account.calendars.delete(calendar.id.toLowerCase());
  }

  /**
   * As if the calendar's owner stopped sharing it with the account: the account loses it, so
   * calendarList leaves it out, every call naming it answers 404 notFound (freeBusy: notFound)
   * and the account's push channels on it get no more pushes. The calendar lives on with its
   * owner: calendarEvents, addCalendarEvent, patchCalendarEvent and deleteCalendarEvent with the
   * account's e-mail and its id still read and change it (as the owner would). Throws for the
   * primary calendar and for a calendar the account does not have.
   */
  unshareCalendar(email: string, calendarId: string): void {
    const account = this.store.findAccount(email);
    const calendar = account && findCalendar(account, calendarId);
    if (!account || !calendar) throw new Error(`GoogleSandbox.unshareCalendar: ${email} has no calendar ${calendarId}`);
    if (calendar.primary) throw new Error('GoogleSandbox.unshareCalendar: the primary calendar cannot be unshared');
    account.calendars.delete(calendar.id.toLowerCase());
    this.unsharedCalendars.set(unsharedKey(email, calendar.id), calendar);
  }

  /**
   * The events Google holds in a calendar (copies, in the order they were created): single
   * events, recurring series (one each, not their instances) and the instances a client changed.
   * Cancelled ones (deleted events, cancelled instances) only with `showDeleted`.
   * `calendarId`: 'primary' (default), the account's e-mail or a secondary calendar's id.
   * An unknown account has none; an unknown calendar throws.
   */
  calendarEvents(email: string, calendarId = 'primary', options: { showDeleted?: boolean } = {}): SandboxEvent[] {
    const account = this.store.findAccount(email);
    if (!account) return [];
    const calendar = this.ownerCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.calendarEvents: ${email} has no calendar ${calendarId}`);
    return [...calendar.events.values()]
      .filter((e) => options.showDeleted === true || e.status !== 'cancelled')
      .map((e) => structuredClone(e));
  }

  /**
   * Seeds an event into a calendar of the account ('primary' by default), as events.insert with
   * conferenceDataVersion=1 would (a conferenceData.createRequest gets a Meet). Throws what
   * Google would refuse, and for an unknown calendar.
   */
  addCalendarEvent(email: string, event: SandboxEventInput, calendarId = 'primary'): SandboxEvent {
    const account = this.store.ensureAccount(email);
    const calendar = this.ownerCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.addCalendarEvent: ${email} has no calendar ${calendarId}`);
    const result = insertEvent(account, calendar, event as Record<string, unknown>, { conferenceDataVersion: 1 });
    if (!result.ok) throw new Error(`GoogleSandbox.addCalendarEvent: ${result.error.message}`);
    this.channelRegistry.flush();
    return structuredClone(result.event);
  }

  /**
   * Seeds an invitation into a calendar of the account ('primary' by default): an event that
   * `event.organizer` organizes (not the account: no `self` on the organizer), with the account
   * among its attendees (added, `needsAction`, when the list does not name it), as Google puts
   * someone else's event in an invitee's calendar. The account may then answer it (its own
   * attendee entry) but not change the others' answers. Throws what Google would refuse.
   */
  addInvitation(email: string, event: SandboxInvitationInput, calendarId = 'primary'): SandboxEvent {
    const account = this.store.ensureAccount(email);
    const calendar = findCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.addInvitation: ${email} has no calendar ${calendarId}`);
    const { organizer, ...fields } = event;
    const result = insertEvent(account, calendar, fields as Record<string, unknown>, {
      conferenceDataVersion: 1,
      invitedBy: organizer,
    });
    if (!result.ok) throw new Error(`GoogleSandbox.addInvitation: ${result.error.message}`);
    this.channelRegistry.flush();
    return structuredClone(result.event);
  }

  /** Changes an event as its owner would in Google Calendar (events.patch), pushing to its channels. */
  patchCalendarEvent(
    email: string,
    eventId: string,
    changes: Partial<SandboxEventInput>,
    calendarId = 'primary',
  ): SandboxEvent {
    const account = this.store.ensureAccount(email);
    const calendar = this.ownerCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.patchCalendarEvent: ${email} has no calendar ${calendarId}`);
    const result = changeEvent(account, calendar, eventId, changes as Record<string, unknown>, 'patch', {
      conferenceDataVersion: 1,
    });
    if (!result.ok) throw new Error(`GoogleSandbox.patchCalendarEvent: ${result.error.message}`);
    this.channelRegistry.flush();
    return structuredClone(result.event);
  }

  /** Deletes (cancels) an event as its owner would in Google Calendar, pushing to its channels. */
  deleteCalendarEvent(email: string, eventId: string, calendarId = 'primary'): void {
    const account = this.store.ensureAccount(email);
    const calendar = this.ownerCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.deleteCalendarEvent: ${email} has no calendar ${calendarId}`);
    const error = deleteEvent(calendar, eventId);
    if (error) throw new Error(`GoogleSandbox.deleteCalendarEvent: ${error.message}`);
    this.channelRegistry.flush();
  }

  /**
   * Caps the lifetime of push channels opened from now on (Google's default and longest: 7 days),
   * so renewal can be tested in seconds; undefined restores 7 days. `params.ttl` and `expiration`
   * in the watch body still shorten it.
   */
  setChannelLifetimeMs(ms: number | undefined): void {
    this.channelRegistry.setLifetimeCap(ms);
  }

  /**
   * Push channels of the account (any case), or of every account, oldest first: the live ones
   * (neither stopped nor expired), or with `{ all: true }` every channel ever opened.
   */
  channels(email?: string, options: { all?: boolean } = {}): SandboxChannel[] {
    return this.channelRegistry.list(email, options.all === true);
  }

  /** Every push sent so far, oldest first (status or error filled in once the receiver answered). */
  pushesSent(): SandboxPush[] {
    return [...this.channelRegistry.sent];
  }

  /** Resolves once every push sent so far has been answered or has failed. */
  pushesSettled(): Promise<void> {
    return this.channelRegistry.settled();
  }

  /**
   * As when Google drops sync tokens: every nextSyncToken given out so far for the calendar
   * ('primary' by default) answers 410 fullSyncRequired from now on; a full list gives a working one.
   */
  expireSyncTokens(email: string, calendarId = 'primary'): void {
    const account = this.store.findAccount(email);
    const calendar = account && findCalendar(account, calendarId);
    if (!calendar) throw new Error(`GoogleSandbox.expireSyncTokens: ${email} has no calendar ${calendarId}`);
    calendar.syncEpoch += 1;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const entry of this.unanswered) entry.aborted = true;
    this.unanswered.clear();
    await this.channelRegistry.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- plumbing ----

  /** A calendar of the account, or one unshared from it (the test controls act as its owner). */
  private ownerCalendar(account: AccountRecord, calendarId: string): CalendarRecord | undefined {
    return findCalendar(account, calendarId) ?? this.unsharedCalendars.get(unsharedKey(account.email, calendarId));
  }

  private grantsOf(key: string): GrantRecord[] {
    if (key.includes('@')) return this.store.grants.filter((g) => g.email.toLowerCase() === key.toLowerCase());
    const grant = this.store.grantOfRefreshToken(key) ?? this.store.accessTokenRecord(key)?.grant;
    return grant ? [grant] : [];
  }

  /** The e-mail of the account an `Authorization: Bearer` access token was issued to. */
  private accountOf(authorization: string | undefined): string | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return token === undefined ? undefined : this.store.accessTokenRecord(token)?.grant.email;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(raw.url ?? '/', 'http://sandbox.invalid');
    const method = (raw.method ?? 'GET').toUpperCase();
    const entry: SandboxRequestLog = { method, path: url.pathname, at: new Date(started) };
    if ([...url.searchParams.keys()].length > 0) entry.query = paramsToRecord(url.searchParams);
    this.requests.push(entry);
    this.unanswered.add(entry);
    this.open += 1;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    // 'close' follows every answer and every connection dropped before one, exactly once.
    res.once('close', () => (this.open -= 1));
    res.on('finish', () => {
      this.unanswered.delete(entry);
      entry.status = res.statusCode;
      this.logLine(entry, Date.now() - started);
    });
    res.on('close', () => {
      this.unanswered.delete(entry);
      if (res.writableFinished) return;
      entry.aborted = true;
      this.logLine(entry, Date.now() - started);
    });

    const req: SandboxHttpRequest = { method, url, headers: raw.headers, body: await readBody(raw) };
    if (entry.path === TOKEN_PATH) entry.form = tokenRequestFields(req);
    else if (entry.path === REVOKE_PATH || entry.path === DECISION_PATH) {
      const form = formParams(req);
      if (form) entry.form = paramsToRecord(form);
    } else if (isJsonBody(req)) {
      const json = parseJsonBody(req);
      if (json.ok && json.value !== undefined) entry.json = json.value;
    }

    if (isApiPath(url.pathname)) {
      const account = this.accountOf(raw.headers.authorization);
      if (account !== undefined) entry.account = account;
      const failure = this.apiFailures.take(method, url.pathname, url.search.slice(1));
      if (failure?.kind === 'hang') {
        // Without ms: never answered; stop() closes the connection (closeAllConnections).
        if (failure.ms === undefined) return;
        await this.sleep(failure.ms);
        if (res.destroyed) return;
      } else if (failure) {
        return sendApiFailure(res, failure);
      }
    }

    const handler =
      this.routes[`${method} ${url.pathname}`] ??
      (url.pathname.startsWith(CALENDAR_PREFIX) ? handleCalendar : undefined);
    if (!handler) return sendNotFound(res);
    try {
      await handler(req, res, this.context);
    } finally {
      // Pushes for what the call changed (and a new channel's sync message) follow its answer.
      this.channelRegistry.flush();
    }
  }

  private logLine(entry: SandboxRequestLog, ms: number): void {
    if (!this.options.log) return;
    const grant =
      entry.path === TOKEN_PATH && entry.form?.['grant_type'] ? ` grant_type=${entry.form['grant_type']}` : '';
    const answer = entry.aborted ? 'closed unanswered' : String(entry.status ?? '-');
    this.options.log(`google-sandbox ${entry.method} ${entry.path}${grant} -> ${answer} (${ms} ms)`);
  }
}

/** For error messages: an e-mail as is, never a token's value. */
function describe(key: string): string {
  return key.includes('@') ? key : 'the given token';
}

/** An unshared calendar's key: the account and the calendar id, any case. */
function unsharedKey(email: string, calendarId: string): string {
  return `${email.toLowerCase()} ${calendarId.toLowerCase()}`;
}
