import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BackgroundWork, ConcurrencyLimit, DuePoller, retryDelayMs } from '@connector-service/app-core';
import { ConnectionStatus } from '@connector-service/contracts';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi } from '../google/google-calendar.api';
import { Claim } from '../leases/claim';
import { LeaseService } from '../leases/lease.service';
import { channelTokenHash, channelTokenMatches, newChannelToken, renewalTime } from './channel-token';
import { PushChannel } from './push-channel.schema';
import { PushChannelRepository } from './push-channel.repository';
import { PushChannelsMetrics } from './push-channels.metrics';

/** The calendar a connection's channel watches: the account's primary calendar. */
const WATCHED_CALENDAR = 'primary';
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

/** What a push's channel headers are worth. */
export type PushVerdict =
  | { kind: 'accepted'; calendarId: string }
  /** The channel is ours but the token is wrong or missing. */
  | { kind: 'unauthorized' }
  /** Not a channel we keep (never ours, stopped, replaced, or for another resource). */
  | { kind: 'unknown' };

/**
 * Google push channels (events.watch) on each connection's primary calendar, when
 * GOOGLE_PUSH_URL is set: opened when a connection becomes connected, renewed before they
 * lapse (the new one opened before the old one is stopped), stopped on disconnect, dropped
 * when access is lost. One lease per connection keeps two replicas from opening two.
 */
@Injectable()
export class PushChannelsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PushChannelsService.name);
  private readonly work = new BackgroundWork();
  private readonly recentlyRead = new Map<string, { channel: PushChannel; until: number }>();
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
    if (this.enabled) this.renewals.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  /** Checks a push's channel id, token (constant time) and resource id against the channels kept. */
  async verify(channelId: string, token: string | undefined, resourceId: string | undefined): Promise<PushVerdict> {
    const channel = await this.lookUp(channelId);
    if (!channel) return { kind: 'unknown' };
    if (!channelTokenMatches(token, channel.tokenHash)) return { kind: 'unauthorized' };
    if (channel.resourceId !== null && resourceId !== undefined && resourceId !== channel.resourceId) {
      return { kind: 'unknown' };
    }
    return { kind: 'accepted', calendarId: channel.calendarId };
  }

  /**
   * Makes sure the connection has a channel for its current state (a reconnect replaces the
   * old one: new opened first, old stopped after). Throws when Google cannot open one.
   */
  async ensureOpen(connection: ConnectionRecord): Promise<void> {
    if (!this.enabled) return;
    const calendarId = connection._id.toString();
    await this.underLease(calendarId, async (claim) => {
      const current = await this.connections.findById(calendarId);
      if (!current || current.status !== ConnectionStatus.Connected) return;
      const kept = await this.channels.findByConnection(calendarId);
      if (kept.some((channel) => channel.stateVersion === current.stateVersion && channel.resourceId !== null)) return;
      await this.open(current, claim);
      for (const old of kept) await this.stop(old, claim, true);
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

  /** Until when the connection has a channel Google confirmed (the latest one's expiration); null without one. */
  async liveUntil(calendarId: string): Promise<Date | null> {
    if (!this.enabled) return null;
    const open = (await this.channels.findByConnection(calendarId)).filter((channel) => channel.expiration !== null);
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
        await this.open(connection, claim);
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

  /** Opens a channel at Google, recorded first so a push racing our write is recognised. */
  private async open(connection: ConnectionRecord, claim: Claim): Promise<void> {
    const calendarId = connection._id.toString();
    claim.assertHeld();
    const id = randomUUID();
    const token = newChannelToken();
    const openedAt = new Date();
    await this.channels.insertOpening({
      _id: id,
      calendarId,
      googleCalendarId: WATCHED_CALENDAR,
      stateVersion: connection.stateVersion,
      tokenHash: channelTokenHash(token),
      openedAt,
      // Replaced by the renewal if this process dies before Google's answer is recorded.
      renewAt: new Date(openedAt.getTime() + OPENING_GIVE_UP_MS),
    });
    try {
      const opened = await this.google.watchEvents(calendarId, WATCHED_CALENDAR, {
        id,
        token,
        address: this.config.GOOGLE_PUSH_URL as string,
      });
      await this.channels.markOpen(id, { ...opened, renewAt: renewalTime(openedAt, opened.expiration) });
      this.logger.log(`Push channel ${id} open for ${calendarId} until ${opened.expiration.toISOString()}`);
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

  /** The channel, from the recent lookups or the database; only open channels are remembered. */
  private async lookUp(channelId: string): Promise<PushChannel | null> {
    const cached = this.recentlyRead.get(channelId);
    if (cached && cached.until > Date.now()) return cached.channel;
    const channel = await this.channels.findById(channelId);
    this.recentlyRead.delete(channelId);
    if (channel?.resourceId) {
      if (this.recentlyRead.size >= VERIFIED_CACHE_MAX) this.recentlyRead.clear();
      this.recentlyRead.set(channelId, { channel, until: Date.now() + VERIFIED_CACHE_MS });
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
