import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork, ConcurrencyLimit, DuePoller, retryDelayMs } from '@connector-service/app-core';
import { ConnectionStatus } from '@connector-service/contracts';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { accountVersionOf, watchedCalendarsOf } from '../connections/google-account';
import { calendarAccessLost } from '../google/calendar-access';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi } from '../google/google-calendar.api';
import { Claim } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { hasChannelIdShape, isOwnChannelId, newChannelId, newChannelIdKey } from './channel-id';
import { ChannelIdKeyRepository } from './channel-id-key.repository';
import { channelTokenHash, channelTokenMatches, newChannelToken, renewalTime } from './channel-token';
import { PushChannel } from './push-channel.schema';
import { PushChannelRepository } from './push-channel.repository';
import { PushChannelsMetrics } from './push-channels.metrics';

/** How channels opened before each watched calendar had its own named the primary calendar. */
const LEGACY_PRIMARY = 'primary';
const RENEWAL_POLL_MS = 1000;
/** Channels this replica renews at once. */
const MAX_CONCURRENT_RENEWALS = 4;
/** One renewal: a watch, a stop and their writes. */
const RENEWAL_DEADLINE_MS = 60_000;
const OPENING_GIVE_UP_MS = 60_000;
/** Failed renewals are retried after pauses doubling up to this. */
const MAX_RENEWAL_RETRY_DELAY_MS = 5 * 60_000;
/**
 * Channels recently looked up are trusted this long without reading them again (a push is
 * answered within 100 ms; on FerretDB every lookup reads the whole collection). One stopped
 * by another replica meanwhile costs at most a needless sync.
 */
const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_MAX = 10_000;

/**
 * How channel ids are told apart without a read: the deployment's key (channel-id.ts), and
 * the ids of channels opened before ids were signed (plain UUIDs), read once at start. No
 * unsigned id is made any more, so that set only shrinks as those channels are renewed.
 */
interface ChannelIds {
  key: Buffer;
  unsigned: Set<string>;
}

/** What a push's channel headers are worth. */
export type PushVerdict =
  | { kind: 'accepted'; calendarId: string; googleCalendarId: string }
  /** The channel is ours but the token is wrong or missing. */
  | { kind: 'unauthorized' }
  /** Not a channel we keep (never ours, stopped, replaced, or for another resource). */
  | { kind: 'unknown' };

/**
 * Google push channels (events.watch), one on each watched calendar of a connection, when
 * GOOGLE_PUSH_URL is set: opened when a connection becomes connected or a calendar is
 * watched, renewed before they lapse (the new one opened before the old one is stopped),
 * stopped when a calendar is no longer watched and on disconnect, dropped when access is
 * lost. One lease per connection keeps two replicas from opening two.
 */
@Injectable()
export class PushChannelsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PushChannelsService.name);
  private readonly work = new BackgroundWork();
  private readonly recentlyRead = new Map<string, { channel: PushChannel; until: number }>();
  /** Ids of ours found in no record (stopped channels Google still pushes for): no read again for a while. */
  private readonly recentlyMissing = new Map<string, number>();
  private channelIds: Promise<ChannelIds> | undefined;
  private readonly renewals = new DuePoller<PushChannel>(this.work, {
    name: 'channel-renewals',
    intervalMs: RENEWAL_POLL_MS,
    slots: new ConcurrencyLimit(MAX_CONCURRENT_RENEWALS),
    itemDeadlineMs: RENEWAL_DEADLINE_MS,
    findDue: (now, limit) => this.channels.findDueForRenewal(now, limit),
    keyOf: (channel) => channel._id,
    work: (channel) => this.renew(channel),
    warn: (message) => this.logger.warn(message),
  });

  constructor(
    private readonly channels: PushChannelRepository,
    private readonly channelIdKeys: ChannelIdKeyRepository,
    private readonly connections: ConnectionRepository,
    private readonly google: GoogleCalendarApi,
    private readonly leases: LeaseService,
    private readonly config: WebhookApiConfig,
    private readonly metrics: PushChannelsMetrics,
  ) {}

  get enabled(): boolean {
    return this.config.GOOGLE_PUSH_URL !== undefined;
  }

  onApplicationBootstrap(): void {
    // Ready before the first push; one that comes earlier waits for it (or retries it).
    this.work.track(
      this.ids().catch((error: Error) => this.logger.warn(`Channel ids not read at start: ${error.message}`)),
    );
    if (this.enabled) this.renewals.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /**
   * Checks a push's channel id, token (constant time) and resource id against the channels
   * kept. An id this service did not make is unknown without a read.
   */
  async verify(channelId: string, token: string | undefined, resourceId: string | undefined): Promise<PushVerdict> {
    if (!(await this.mayBeOurs(channelId))) return { kind: 'unknown' };
    const channel = await this.lookUp(channelId);
    if (!channel) return { kind: 'unknown' };
    if (!channelTokenMatches(token, channel.tokenHash)) return { kind: 'unauthorized' };
    if (channel.resourceId !== null && resourceId !== undefined && resourceId !== channel.resourceId) {
      return { kind: 'unknown' };
    }
    const googleCalendarId = await this.calendarOf(channel);
    return googleCalendarId
      ? { kind: 'accepted', calendarId: channel.calendarId, googleCalendarId }
      : { kind: 'unknown' };
  }

  /**
   * Makes sure each calendar the connection watches has a channel of its current Google
   * account: one opened since that account was connected is kept (a re-consent of the same
   * account keeps it); those of an account it no longer holds, or of calendars no longer
   * watched, are stopped, after the new ones are opened. A calendar Google will not watch
   * (404, 403) is skipped: its sync ends it. Throws when Google cannot open one otherwise.
   */
  async ensureOpen(connection: ConnectionRecord): Promise<void> {
    if (!this.enabled) return;
    const calendarId = connection._id.toString();
    await this.underLease(calendarId, async (claim) => {
      const current = await this.connections.findById(calendarId);
      if (!current || current.status !== ConnectionStatus.Connected) return;
      const since = accountVersionOf(current);
      const watched = watchedCalendarsOf(current).map((calendar) => calendar.googleCalendarId);
      const kept = await this.channels.findByConnection(calendarId);
      const wanted = (channel: PushChannel) =>
        channel.stateVersion >= since &&
        channel.resourceId !== null &&
        watched.includes(watchedCalendarOf(current, channel));
      for (const googleCalendarId of watched) {
        if (kept.some((channel) => wanted(channel) && watchedCalendarOf(current, channel) === googleCalendarId))
          continue;
        try {
          await this.open(current, googleCalendarId, claim);
        } catch (error) {
          if (!calendarAccessLost(error)) throw error;
          this.logger.warn(`Google will not watch ${googleCalendarId} of ${calendarId}: ${(error as Error).message}`);
        }
      }
      for (const old of kept) if (!wanted(old)) await this.stop(old, claim, true);
    });
  }

  /** Stops the channels on one calendar of the connection (its watch ended); background work. */
  async stopWatching(calendarId: string, googleCalendarId: string): Promise<void> {
    if (!this.enabled) return;
    await this.underLease(calendarId, async (claim) => {
      const connection = await this.connections.findById(calendarId);
      for (const channel of await this.channels.findByConnection(calendarId)) {
        if (!connection || watchedCalendarOf(connection, channel) === googleCalendarId) {
          await this.stop(channel, claim, true);
        }
      }
    });
  }

  /**
   * Stops every channel of the connection at Google and forgets it; before a disconnect
   * revokes the grant (afterwards Google could no longer be asked).
   */
  async stopAll(calendarId: string): Promise<void> {
    await this.underLease(
      calendarId,
      async (claim) => {
        for (const channel of await this.channels.findByConnection(calendarId)) await this.stop(channel, claim, false);
      },
      true,
    );
  }

  /**
   * Of these connected connections, each that has no channel at all (one adopted at start,
   * made before push channels) gets one owed per watched calendar (settleWatched). How many
   * were owed.
   */
  async oweChannels(calendarIds: readonly string[]): Promise<number> {
    if (!this.enabled || calendarIds.length === 0) return 0;
    const withChannels = await this.channels.connectionsWithChannels(calendarIds);
    let owed = 0;
    for (const calendarId of calendarIds) {
      if (withChannels.has(calendarId)) continue;
      const connection = await this.connections.findById(calendarId);
      if (connection?.status === ConnectionStatus.Connected) owed += await this.settleWatched(connection);
    }
    if (owed > 0) this.logger.log(`${owed} watched calendar(s) without a push channel get one`);
    return owed;
  }

  /**
   * Each watched calendar without a channel of the connection's Google account gets one
   * owed: a record due at once that the renewal poll opens like a renewal, so the opening is
   * claimed, bounded (MAX_CONCURRENT_RENEWALS and the background budget) and retried after
   * growing pauses, by any replica, after any restart; the channels of calendars no longer
   * watched are due at once, and that poll stops them. So the request that chose the
   * calendars waits for no Google call. How many channels were owed.
   */
  async settleWatched(connection: ConnectionRecord): Promise<number> {
    if (!this.enabled) return 0;
    const calendarId = connection._id.toString();
    const since = accountVersionOf(connection);
    const watched = watchedCalendarsOf(connection).map((calendar) => calendar.googleCalendarId);
    const kept = await this.channels.findByConnection(calendarId);
    const now = new Date();
    for (const channel of kept) {
      if (!watched.includes(watchedCalendarOf(connection, channel))) await this.channels.renewBy(channel._id, now);
    }
    const { key } = await this.ids();
    let owed = 0;
    for (const googleCalendarId of watched) {
      const covered = kept.some(
        (channel) => channel.stateVersion >= since && watchedCalendarOf(connection, channel) === googleCalendarId,
      );
      if (covered) continue;
      await this.channels.insertOpening({
        _id: newChannelId(key),
        calendarId,
        googleCalendarId,
        stateVersion: connection.stateVersion,
        // Never given to Google: the renewal opens the channel with a token of its own.
        tokenHash: channelTokenHash(newChannelToken()),
        openedAt: now,
        renewAt: now,
      });
      owed += 1;
    }
    return owed;
  }

  /** Until when the calendar has a channel Google confirmed (the latest one's expiration); null without one. */
  async liveUntil(connection: ConnectionRecord, googleCalendarId: string): Promise<Date | null> {
    if (!this.enabled) return null;
    const open = (await this.channels.findByConnection(connection._id.toString())).filter(
      (channel) => channel.expiration !== null && watchedCalendarOf(connection, channel) === googleCalendarId,
    );
    const latest = Math.max(...open.map((channel) => (channel.expiration as Date).getTime()));
    return open.length > 0 && latest > Date.now() ? new Date(latest) : null;
  }

  /** Forgets the connection's channels without asking Google (access is lost): they lapse there. */
  async dropAll(calendarId: string): Promise<void> {
    for (const [id, { channel }] of this.recentlyRead)
      if (channel.calendarId === calendarId) this.recentlyRead.delete(id);
    const dropped = await this.channels.deleteByConnection(calendarId);
    if (dropped > 0) this.logger.log(`Dropped ${dropped} push channel(s) of ${calendarId}`);
  }

  private async renew(due: PushChannel): Promise<void> {
    try {
      await this.underLease(due.calendarId, async (claim) => {
        const channel = await this.channels.findById(due._id);
        if (!channel || channel.renewAt === null || channel.renewAt > new Date()) return;
        const connection = await this.connections.findById(channel.calendarId);
        if (!this.enabled || !connection || connection.status !== ConnectionStatus.Connected) {
          // Nothing to renew for: it lapses at Google on its own.
          await this.forget(channel._id);
          this.metrics.renewals.inc({ outcome: 'dropped' });
          return;
        }
        const googleCalendarId = watchedCalendarOf(connection, channel);
        if (!watchedCalendarsOf(connection).some((calendar) => calendar.googleCalendarId === googleCalendarId)) {
          // The calendar is no longer watched.
          await this.stop(channel, claim, true);
          this.metrics.renewals.inc({ outcome: 'dropped' });
          return;
        }
        if (channel.resourceId === null && (await this.hasLiveChannel(connection, channel))) {
          // An opening given up, or one owed, while another took its place: nothing to open.
          await this.forget(channel._id);
          this.metrics.renewals.inc({ outcome: 'dropped' });
          return;
        }
        try {
          await this.open(connection, googleCalendarId, claim);
        } catch (error) {
          if (!calendarAccessLost(error)) throw error;
          // Google will not watch it (deleted, unshared): not retried; the calendar's sync ends it.
          await this.stop(channel, claim, true);
          this.metrics.renewals.inc({ outcome: 'dropped' });
          return;
        }
        await this.stop(channel, claim, true);
        this.metrics.renewals.inc({ outcome: 'renewed' });
      });
    } catch (error) {
      this.metrics.renewals.inc({ outcome: 'failed' });
      const delay = retryDelayMs(due.renewalFailures + 1, { maxMs: MAX_RENEWAL_RETRY_DELAY_MS });
      this.logger.warn(
        `Push channel ${due._id} of ${due.calendarId} could not be renewed (attempt ${due.renewalFailures + 1}; again in ${delay} ms): ${(error as Error).message}`,
      );
      await this.channels
        .deferRenewal(due._id, new Date(Date.now() + delay))
        .catch((deferError: Error) => this.logger.warn(`Renewal of ${due._id} not deferred: ${deferError.message}`));
    }
  }

  /** Whether another channel of the connection's current Google account on the same calendar is open at Google. */
  private async hasLiveChannel(connection: ConnectionRecord, channel: PushChannel): Promise<boolean> {
    const since = accountVersionOf(connection);
    const googleCalendarId = watchedCalendarOf(connection, channel);
    const kept = await this.channels.findByConnection(connection._id.toString());
    return kept.some(
      (other) =>
        other._id !== channel._id &&
        other.resourceId !== null &&
        other.stateVersion >= since &&
        watchedCalendarOf(connection, other) === googleCalendarId,
    );
  }

  /** Google's id of the calendar a channel watches (channels of the primary calendar opened before several were watched say `primary`). */
  private async calendarOf(channel: PushChannel): Promise<string | null> {
    if (channel.googleCalendarId !== LEGACY_PRIMARY) return channel.googleCalendarId;
    const connection = await this.connections.findById(channel.calendarId);
    return connection ? connection.googleEmail : null;
  }

  /** Opens a channel on one calendar at Google, recorded first so a push racing our write is recognised. */
  private async open(connection: ConnectionRecord, googleCalendarId: string, claim: Claim): Promise<void> {
    const calendarId = connection._id.toString();
    claim.assertHeld();
    const id = newChannelId((await this.ids()).key);
    const token = newChannelToken();
    const openedAt = new Date();
    await this.channels.insertOpening({
      _id: id,
      calendarId,
      googleCalendarId,
      stateVersion: connection.stateVersion,
      tokenHash: channelTokenHash(token),
      openedAt,
      // Replaced by the renewal if this process dies before Google's answer is recorded.
      renewAt: new Date(openedAt.getTime() + OPENING_GIVE_UP_MS),
    });
    try {
      const opened = await this.google.watchEvents(calendarId, googleCalendarId, {
        id,
        token,
        address: this.config.GOOGLE_PUSH_URL as string,
      });
      await this.channels.markOpen(id, { ...opened, renewAt: renewalTime(openedAt, opened.expiration) });
      this.logger.log(
        `Push channel ${id} open for ${googleCalendarId} of ${calendarId} until ${opened.expiration.toISOString()}`,
      );
    } catch (error) {
      await this.channels.delete(id);
      throw error;
    }
  }

  /**
   * Stops a channel at Google (one Google no longer knows is stopped already) and forgets it.
   * `background`: a renewal's (within the background budget), not a disconnect's.
   */
  private async stop(channel: PushChannel, claim: Claim, background: boolean): Promise<void> {
    claim.assertHeld();
    if (channel.resourceId !== null) {
      try {
        await this.google.stopChannel(
          channel.calendarId,
          { id: channel._id, resourceId: channel.resourceId },
          background,
        );
      } catch (error) {
        if (!(error instanceof GoogleApiException && error.failure.kind === 'not_found')) {
          // It lapses at Google by its expiration; pushes for it are ignored from now on.
          this.logger.warn(`Push channel ${channel._id} could not be stopped at Google: ${(error as Error).message}`);
        }
      }
    }
    await this.forget(channel._id);
  }

  private async forget(channelId: string): Promise<void> {
    this.recentlyRead.delete(channelId);
    await this.channels.delete(channelId);
  }

  /**
   * Whether the id can be a channel of ours, decided without a read: one of our form must
   * carry a valid proof; one of another form must be of the unsigned channels kept at start.
   */
  private async mayBeOurs(channelId: string): Promise<boolean> {
    const ids = await this.ids();
    return hasChannelIdShape(channelId) ? isOwnChannelId(channelId, ids.key) : ids.unsigned.has(channelId);
  }

  /** The channel-id key and the unsigned ids, read once (again after a failure). */
  private ids(): Promise<ChannelIds> {
    this.channelIds ??= (async () => {
      const key = await this.channelIdKeys.obtain(newChannelIdKey());
      const unsigned = new Set((await this.channels.allIds()).filter((id) => !hasChannelIdShape(id)));
      return { key, unsigned };
    })().catch((error: unknown) => {
      this.channelIds = undefined;
      throw error;
    });
    return this.channelIds;
  }

  /**
   * The channel, from the recent lookups or the database; open channels are remembered, and
   * so are ids found in no record (an id of ours that is gone never comes back).
   */
  private async lookUp(channelId: string): Promise<PushChannel | null> {
    const cached = this.recentlyRead.get(channelId);
    if (cached && cached.until > Date.now()) return cached.channel;
    if ((this.recentlyMissing.get(channelId) ?? 0) > Date.now()) return null;
    const channel = await this.channels.findById(channelId);
    this.recentlyRead.delete(channelId);
    this.recentlyMissing.delete(channelId);
    if (channel?.resourceId) {
      if (this.recentlyRead.size >= VERIFIED_CACHE_MAX) this.recentlyRead.clear();
      this.recentlyRead.set(channelId, { channel, until: Date.now() + VERIFIED_CACHE_MS });
    } else if (!channel) {
      if (this.recentlyMissing.size >= VERIFIED_CACHE_MAX) this.recentlyMissing.clear();
      this.recentlyMissing.set(channelId, Date.now() + VERIFIED_CACHE_MS);
    }
    return channel;
  }

  /**
   * Runs `work` under the connection's channel claim. Background work (opening, renewing)
   * does not wait for another holder: it fails and is retried after its backoff; a
   * disconnect (`wait`) waits, within its request's deadline.
   */
  private async underLease(calendarId: string, work: (claim: Claim) => Promise<void>, wait = false): Promise<void> {
    const key = `push-channel:${calendarId}`;
    const outcome = wait ? await this.leases.runExclusiveWaiting(key, work) : await this.leases.runExclusive(key, work);
    if (!outcome.ran) throw new Error(`The push channels of ${calendarId} are busy elsewhere`);
  }
}

/** Google's id of the calendar a channel watches; those opened before several calendars were watched say `primary`. */
function watchedCalendarOf(connection: Pick<ConnectionRecord, 'googleEmail'>, channel: PushChannel): string {
  return channel.googleCalendarId === LEGACY_PRIMARY ? connection.googleEmail : channel.googleCalendarId;
}
