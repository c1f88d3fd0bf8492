import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { GoogleCalendarConnection } from '../connections/google-calendar-connection.schema';

/**
 * The metadata outbox's queries. The pending update lives in the connection's own
 * document (`metadataUpdate`), written together with the state it describes (see
 * `pendingMetadataUpdate`); here it is found, completed, retried or dropped. Each write
 * is conditional on `stateVersion`, so a newer state is never marked delivered by an
 * older delivery.
 */
@Injectable()
export class MetadataOutboxRepository {
  constructor(
    @InjectModel(GoogleCalendarConnection.name) private readonly model: Model<GoogleCalendarConnection>,
    private readonly writes: DocumentWrites,
  ) {}

  /** Connections whose metadata update is due (optionally one of them), oldest first. */
  findDue(now: Date, limit: number, calendarId?: string): Promise<GoogleCalendarConnection[]> {
    return this.model
      .find({
        ...(calendarId ? { _id: new Types.ObjectId(calendarId) } : {}),
        'metadataUpdate.pending': true,
        'metadataUpdate.nextAttemptAt': { $lte: now },
      })
      .sort({ 'metadataUpdate.nextAttemptAt': 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /** Records that `version` landed. If the state changed meanwhile, the newer update stays pending. */
  async complete(calendarId: Types.ObjectId, version: number, now: Date): Promise<void> {
    await this.write(calendarId, version, {
      $set: {
        'metadataUpdate.pending': false,
        'metadataUpdate.attempts': 0,
        'metadataUpdate.lastError': null,
        'metadataUpdate.deliveredVersion': version,
        'metadataUpdate.deliveredAt': now,
      },
    });
  }

  /** A failed attempt at `version`: try again at `nextAttemptAt` (unless the state moved on). */
  async retryLater(calendarId: Types.ObjectId, version: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.write(calendarId, version, {
      $set: { 'metadataUpdate.nextAttemptAt': nextAttemptAt, 'metadataUpdate.lastError': error },
      $inc: { 'metadataUpdate.attempts': 1 },
    });
  }

  /** Stops trying an update that can never land (its connector was deleted). */
  async abandon(calendarId: Types.ObjectId, version: number, error: string): Promise<void> {
    await this.write(calendarId, version, {
      $set: { 'metadataUpdate.pending': false, 'metadataUpdate.lastError': error },
    });
  }

  countPending(): Promise<number> {
    return this.model.countDocuments({ 'metadataUpdate.pending': true }).exec();
  }

  private async write(calendarId: Types.ObjectId, version: number, update: Record<string, unknown>): Promise<void> {
    await this.writes.updateOne(this.model, { _id: calendarId, stateVersion: version }, update);
  }
}
