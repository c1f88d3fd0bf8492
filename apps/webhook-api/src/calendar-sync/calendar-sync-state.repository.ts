import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { CalendarSyncState } from './calendar-sync-state.schema';

/** The `calendarsyncstates` collection's only door; written under the connection's sync lease. */
@Injectable()
export class CalendarSyncStateRepository {
  constructor(@InjectModel(CalendarSyncState.name) private readonly model: Model<CalendarSyncState>) {}

  findById(calendarId: string): Promise<CalendarSyncState | null> {
    return this.model.findById(calendarId).lean<CalendarSyncState>().exec();
  }

  /** States whose periodic sync is due, most overdue first. */
  findDue(now: Date, limit: number): Promise<Pick<CalendarSyncState, '_id'>[]> {
    return this.model
      .find({ nextSyncAt: { $lte: now } }, { _id: 1 })
      .sort({ nextSyncAt: 1 })
      .limit(limit)
      .lean<Pick<CalendarSyncState, '_id'>[]>()
      .exec();
  }

  /** Of these connection ids, the ones with a state. */
  async existing(calendarIds: string[]): Promise<Set<string>> {
    const found = await this.model
      .find({ _id: { $in: calendarIds } }, { _id: 1 })
      .lean<Pick<CalendarSyncState, '_id'>[]>()
      .exec();
    return new Set(found.map((state) => state._id));
  }

  /** A complete sync: its token and the next periodic sync. */
  async saveSynced(state: Omit<CalendarSyncState, 'failures' | 'lastError'>): Promise<void> {
    await this.model
      .replaceOne({ _id: state._id }, { ...state, failures: 0, lastError: null }, { upsert: true })
      .exec();
  }

  /** A failed sync: the token stays; tried again at `nextSyncAt`. */
  async recordFailure(calendarId: string, error: string, nextSyncAt: Date): Promise<void> {
    await this.model
      .updateOne({ _id: calendarId }, { $set: { lastError: error, nextSyncAt }, $inc: { failures: 1 } })
      .exec();
  }

  async delete(calendarId: string): Promise<void> {
    await this.model.deleteOne({ _id: calendarId }).exec();
  }
}
