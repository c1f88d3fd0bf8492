import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@connector-service/app-core';
import type { AnyBulkWriteOperation, Model } from 'mongoose';
import { CalendarEventMemory } from './calendar-event-memory.schema';

export type RememberedEvent = Pick<CalendarEventMemory, '_id' | 'fields'>;

/**
 * The `calendareventmemories` collection's only door. Reads go by `_id` (one query per page
 * of a sync), writes by `_id` in one bulk write per page, and forgetting by the
 * (calendarId, googleCalendarId) index: nothing here scans the collection on MongoDB.
 */
@Injectable()
export class CalendarEventMemoryRepository {
  constructor(@InjectModel(CalendarEventMemory.name) private readonly model: Model<CalendarEventMemory>) {}

  /** The memories with these ids that exist (one query, on the `_id` index). */
  findByIds(ids: readonly string[]): Promise<RememberedEvent[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.model
      .find({ _id: { $in: ids } }, { _id: 1, fields: 1 })
      .lean<RememberedEvent[]>()
      .exec();
  }

  /**
   * Stores `remember` (replacing what was kept of those events) and deletes the memories with
   * ids `forget`, in one ordered bulk write: a delete of every id named, then the inserts. Not
   * one upsert per event: FerretDB takes milliseconds for each (seconds for a page of 2,500),
   * an insert batch it takes at once; on MongoDB both are index writes. Only the calendar's sync
   * claim holder writes its memories, so no read falls between the delete and the inserts. A
   * holder that lost its claim mid-write and wrote the same events meanwhile leaves a duplicate
   * key: what it wrote stands until the events are listed again.
   */
  async write(remember: readonly CalendarEventMemory[], forget: readonly string[]): Promise<void> {
    const ids = [...remember.map((memory) => memory._id), ...forget];
    if (ids.length === 0) return;
    const operations: AnyBulkWriteOperation<CalendarEventMemory>[] = [
      { deleteMany: { filter: { _id: { $in: ids } } } },
      ...remember.map((document) => ({ insertOne: { document } })),
    ];
    try {
      await this.model.bulkWrite(operations, { ordered: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Deletes the memories of a connection, or of one of its Google calendars. */
  async deleteCalendar(calendarId: string, googleCalendarId?: string): Promise<void> {
    await this.model
      .deleteMany(googleCalendarId === undefined ? { calendarId } : { calendarId, googleCalendarId })
      .exec();
  }
}
