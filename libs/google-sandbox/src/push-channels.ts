import { CalendarError, calendarError } from './calendar-error';
import { AccountRecord, CalendarRecord } from './store';
import { SandboxChannel, SandboxPush } from './types';

// Push channels of events.watch: the registry, and the pushes Google sends to their addresses.

/** Google's default (and longest) lifetime of a Calendar channel. */
export const DEFAULT_CHANNEL_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a receiver may take to answer a push before the sandbox gives up on it. */
const PUSH_TIMEOUT_MS = 10_000;
const CHANNEL_ID = /^[A-Za-z0-9\-_+/=]{1,64}$/;
const USER_AGENT = 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)';

interface ChannelRecord {
  id: string;
  resourceId: string;
  resourceUri: string;
  address: string;
  token?: string;
  /** ms since epoch. */
  expiration: number;
  email: string;
  calendar: CalendarRecord;
  stopped: boolean;
  /** The last X-Goog-Message-Number sent. */
  messageNumber: number;
  /** The calendar's changeSeq the last push (or the watch) covered. */
  notifiedSeq: number;
  syncPending: boolean;
}

export interface WatchRequest {
  account: AccountRecord;
  calendar: CalendarRecord;
  /** As the client named it in the path (`primary`, an e-mail, ...): the resourceUri shows it so. */
  calendarId: string;
  body: Record<string, unknown>;
}

function invalid(message: string): CalendarError {
  return calendarError(400, message, 'invalid');
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A positive whole number from a string or number field; undefined when absent, null when not one. */
function positiveInteger(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

export class PushChannels {
  private readonly records: ChannelRecord[] = [];
  /** Every push sent, oldest first; status or error is filled in when the receiver answered or failed. */
  readonly sent: SandboxPush[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private lifetimeCapMs: number | undefined;
  private closed = false;

  /**
   * @param canRead whether the account may still read the calendar: a channel on a calendar
   *   deleted or unshared since gets no more pushes.
   */
  constructor(
    private readonly apiRootUrl: string,
    private readonly log: ((line: string) => void) | undefined,
    private readonly canRead: (email: string, calendar: CalendarRecord) => boolean = () => true,
  ) {}

  /** Caps the lifetime of channels opened from now on (undefined: Google's 7 days). */
  setLifetimeCap(ms: number | undefined): void {
    if (ms !== undefined && (!Number.isFinite(ms) || ms <= 0))
      throw new Error('the lifetime must be a positive number');
    this.lifetimeCapMs = ms;
  }

  /** events.watch: the new channel, or what Google would answer instead. */
  open({ account, calendar, calendarId, body }: WatchRequest): ChannelRecord | CalendarError {
    const { id, type, address, token } = body;
    if (id === undefined || id === null || id === '') return calendarError(400, 'Required', 'required');
    if (typeof id !== 'string' || !CHANNEL_ID.test(id)) return invalid(`Invalid channel id ${String(id)}.`);
    if (type === undefined || type === null) return calendarError(400, 'Required', 'required');
    if (type !== 'web_hook' && type !== 'webhook') return invalid(`Invalid channel type ${String(type)}.`);
    if (typeof address !== 'string' || !isWebAddress(address)) return invalid('Invalid channel address.');
    if (token !== undefined && token !== null && (typeof token !== 'string' || token.length > 256)) {
      return invalid('Invalid channel token.');
    }
    if (this.records.some((c) => c.id === id && this.isLive(c))) {
      return calendarError(400, `Channel id ${id} not unique`, 'channelIdNotUnique');
    }
    const params = body['params'];
    const ttlSeconds = positiveInteger(
      typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['ttl'] : undefined,
    );
    const requested = positiveInteger(body['expiration']);
    if (ttlSeconds === null) return invalid('Invalid value for params.ttl.');
    if (requested === null) return invalid('Invalid expiration.');
    const now = Date.now();
    let expiration = now + Math.min(DEFAULT_CHANNEL_LIFETIME_MS, this.lifetimeCapMs ?? Infinity);
    if (ttlSeconds !== undefined) expiration = Math.min(expiration, now + ttlSeconds * 1000);
    if (requested !== undefined) {
      if (requested <= now) return invalid('Invalid expiration.');
      expiration = Math.min(expiration, requested);
    }
    const channel: ChannelRecord = {
      id,
      resourceId: calendar.resourceId,
      resourceUri: `${this.apiRootUrl}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      address,
      ...(typeof token === 'string' ? { token } : {}),
      expiration,
      email: account.email,
      calendar,
      stopped: false,
      messageNumber: 0,
      notifiedSeq: calendar.changeSeq,
      syncPending: true,
    };
    this.records.push(channel);
    return channel;
  }

  /** channels.stop: false when no live channel has that id and resourceId. */
  stop(id: string, resourceId: string): boolean {
    const channel = this.records.find((c) => c.id === id && c.resourceId === resourceId && this.isLive(c));
    if (!channel) return false;
    channel.stopped = true;
    return true;
  }

  /** Channels of the account (any case) or of everyone, oldest first; `all` adds stopped and expired ones. */
  list(email?: string, all = false): SandboxChannel[] {
    return this.records
      .filter((c) => email === undefined || c.email.toLowerCase() === email.toLowerCase())
      .filter((c) => all || this.isLive(c))
      .map((c) => ({
        id: c.id,
        resourceId: c.resourceId,
        resourceUri: c.resourceUri,
        address: c.address,
        ...(c.token === undefined ? {} : { token: c.token }),
        expiration: c.expiration,
        email: c.email,
        calendarId: c.calendar.id,
        stopped: c.stopped,
        expired: c.expiration <= Date.now(),
      }));
  }

  /**
   * Sends what is due: the `sync` message of a new channel, and `exists` to every live channel
   * whose calendar changed since its last push, if its account can still read that calendar.
   * Called after each request and each control that changes events; the pushes go out
   * asynchronously, fire and forget.
   */
  flush(): void {
    if (this.closed) return;
    for (const channel of this.records) {
      if (!this.isLive(channel)) continue;
      if (!this.canRead(channel.email, channel.calendar)) {
        channel.notifiedSeq = channel.calendar.changeSeq;
        continue;
      }
      if (channel.syncPending) {
        channel.syncPending = false;
        this.send(channel, 'sync');
      }
      if (channel.calendar.changeSeq > channel.notifiedSeq) {
        channel.notifiedSeq = channel.calendar.changeSeq;
        this.send(channel, 'exists');
      }
    }
  }

  /** Resolves once every push sent so far has been answered or has failed. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Aborts pushes still waiting for an answer (the sandbox stops). */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.aborts) controller.abort();
    await this.settled();
  }

  private isLive(channel: ChannelRecord): boolean {
    return !channel.stopped && channel.expiration > Date.now();
  }

  private send(channel: ChannelRecord, state: 'sync' | 'exists'): void {
    channel.messageNumber += 1;
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      ...(channel.token === undefined ? {} : { 'X-Goog-Channel-Token': channel.token }),
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(channel.messageNumber),
      'User-Agent': USER_AGENT,
    };
    const push: SandboxPush = {
      channelId: channel.id,
      resourceId: channel.resourceId,
      address: channel.address,
      state,
      messageNumber: channel.messageNumber,
      headers,
      at: new Date(),
    };
    this.sent.push(push);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), PUSH_TIMEOUT_MS);
    this.aborts.add(controller);
    const started = Date.now();
    // Headers only, no body: fetch sends `Content-Length: 0` for a bodiless POST, as Google does.
    const delivery = fetch(channel.address, { method: 'POST', headers, signal: controller.signal })
      .then(async (response) => {
        push.status = response.status;
        await response.body?.cancel();
      })
      .catch((error: unknown) => {
        const cause = (error as { cause?: { code?: unknown } }).cause?.code;
        push.error = `${error instanceof Error ? error.message : String(error)}${typeof cause === 'string' ? ` (${cause})` : ''}`;
      })
      .finally(() => {
        clearTimeout(timer);
        this.aborts.delete(controller);
        this.inFlight.delete(delivery);
        const answer = push.error === undefined ? String(push.status) : `failed: ${push.error}`;
        // Never the channel token: it authenticates pushes to the receiver.
        this.log?.(
          `google-sandbox push ${state} #${push.messageNumber} channel=${channel.id} -> ${answer} (${Date.now() - started} ms)`,
        );
      });
    this.inFlight.add(delivery);
  }
}
