import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CalendarEventDto, ErrorCode } from '@connector-service/contracts';
import { BackgroundWork, DomainException, remainingMs } from '@connector-service/app-core';
import { Types } from 'mongoose';
import { createHash } from 'node:crypto';
import { IdempotencyRecordRepository } from './idempotency-record.repository';

/** Keys are kept at least 24 hours (the contract); a little longer so a day-old retry still finds its answer. */
export const IDEMPOTENCY_TTL_MS = 25 * 60 * 60 * 1000;
/** How long one request may hold a key's work before another may take it over. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const WAIT_STEP_MS = 50;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface IdempotentOutcome {
  event: CalendarEventDto;
  /** The answer of an earlier request with this key. */
  replayed: boolean;
}

/**
 * Creates with an `Idempotency-Key`: the key, a hash of the request and the answer are kept
 * (24 h+) so a retry gets the same event, and the same key with another body a 422.
 * Concurrent requests with one key: the first to insert the record does the work, the
 * others wait for its answer (at most until their own request's deadline, if it has one:
 * then 409 IDEMPOTENCY_KEY_IN_PROGRESS, as after the longest wait). The Google event id is
 * derived from the connection and the key, so even work redone after a crash (or an answer
 * lost on the way) finds the event Google already holds instead of creating a second one.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly work = new BackgroundWork();

  constructor(private readonly records: IdempotencyRecordRepository) {}

  onApplicationBootstrap(): void {
    this.work.every(SWEEP_INTERVAL_MS, () => this.work.exclusive('sweep', 0, () => this.sweep()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  async sweep(): Promise<number> {
    try {
      return await this.records.sweepExpired(new Date());
    } catch (error) {
      this.logger.warn(`Idempotency sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }

  async run(
    calendarId: string,
    key: string,
    request: unknown,
    work: (googleEventId: string) => Promise<CalendarEventDto>,
  ): Promise<IdempotentOutcome> {
    const id = sha256Hex(`${calendarId}\n${key}`);
    const requestHash = sha256Hex(canonicalJson(request));
    const googleEventId = googleEventIdFor(calendarId, key);
    const deadline = Date.now() + IDEMPOTENCY_LEASE_MS + 5000;
    for (;;) {
      const now = new Date();
      const claimed = await this.records.tryInsert({
        _id: id,
        calendarId: new Types.ObjectId(calendarId),
        requestHash,
        googleEventId,
        state: 'in_progress',
        response: null,
        leaseUntil: new Date(now.getTime() + IDEMPOTENCY_LEASE_MS),
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      if (claimed) return { event: await this.doWork(id, googleEventId, work), replayed: false };

      const existing = await this.records.find(id);
      if (!existing) continue; // its work failed and released the key meanwhile
      if (existing.expiresAt.getTime() <= now.getTime()) {
        await this.records.deleteExpired(id, now);
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new DomainException(
          HttpStatus.UNPROCESSABLE_ENTITY,
          ErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was used with a different request',
        );
      }
      if (existing.state === 'done' && existing.response) {
        return { event: existing.response as unknown as CalendarEventDto, replayed: true };
      }
      const leaseLapsed = existing.leaseUntil.getTime() <= now.getTime();
      if (
        leaseLapsed &&
        (await this.records.takeOver(id, existing.leaseUntil, new Date(now.getTime() + IDEMPOTENCY_LEASE_MS)))
      ) {
        this.logger.warn(`Taking over the work of Idempotency-Key record ${id.slice(0, 12)}… (its holder stopped)`);
        return { event: await this.doWork(id, googleEventId, work), replayed: false };
      }
      // Under a deadline, answer while a pause and one more look would still fit before it.
      const requestLeft = remainingMs();
      if (Date.now() > deadline || (requestLeft !== undefined && requestLeft <= 2 * WAIT_STEP_MS)) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.IdempotencyKeyInProgress,
          'A request with this Idempotency-Key is still being processed; retry shortly',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  private async doWork(
    id: string,
    googleEventId: string,
    work: (googleEventId: string) => Promise<CalendarEventDto>,
  ): Promise<CalendarEventDto> {
    let event: CalendarEventDto;
    try {
      event = await work(googleEventId);
    } catch (error) {
      await this.records.release(id).catch((releaseError: Error) => this.logger.warn(releaseError.message));
      throw error;
    }
    await this.records.complete(id, event as unknown as Record<string, unknown>);
    return event;
  }
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * The Google event id of the key: base32hex (Google's alphabet for client-chosen ids:
 * a–v and 0–9, 5–1024 characters) of SHA-256 over the connection and the key, 52 characters.
 */
export function googleEventIdFor(calendarId: string, key: string): string {
  const bytes = createHash('sha256').update(`${calendarId}\n${key}`).digest();
  let bits = 0;
  let value = 0;
  let id = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) id += BASE32HEX[(value << (5 - bits)) & 31];
  return id;
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
