import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PushChannel } from './push-channel.schema';

/** The `pushchannels` collection's only door. */
@Injectable()
export class PushChannelRepository {
  constructor(@InjectModel(PushChannel.name) private readonly model: Model<PushChannel>) {}

  /** `renewAt` of a channel still opening: when to give up on a watch that never completed. */
  async insertOpening(channel: Omit<PushChannel, 'resourceId' | 'expiration' | 'renewalFailures'>): Promise<void> {
    await this.model.create({ ...channel, resourceId: null, expiration: null, renewalFailures: 0 });
  }

  async markOpen(id: string, opened: { resourceId: string; expiration: Date; renewAt: Date }): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: opened }).exec();
  }

  /** A renewal failed: tried again at `renewAt`. */
  async deferRenewal(id: string, renewAt: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { renewAt }, $inc: { renewalFailures: 1 } }).exec();
  }

  /** The renewal poll is to look at the channel at `at` (its calendar is no longer watched: it stops it). */
  async renewBy(id: string, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { renewAt: at } }).exec();
  }

  findById(id: string): Promise<PushChannel | null> {
    return this.model.findById(id).lean<PushChannel>().exec();
  }

  findByConnection(calendarId: string): Promise<PushChannel[]> {
    return this.model.find({ calendarId }).sort({ openedAt: 1 }).lean<PushChannel[]>().exec();
  }

  /** The channels of these connections that Google has answered (the { calendarId: 1 } index on MongoDB). */
  findOpenOfConnections(
    calendarIds: string[],
  ): Promise<Pick<PushChannel, 'calendarId' | 'googleCalendarId' | 'expiration'>[]> {
    return this.model
      .find(
        { calendarId: { $in: calendarIds }, expiration: { $ne: null } },
        { _id: 0, calendarId: 1, googleCalendarId: 1, expiration: 1 },
      )
      .lean<Pick<PushChannel, 'calendarId' | 'googleCalendarId' | 'expiration'>[]>()
      .exec();
  }

  /** Which of these connections have any channel, open or not (the { calendarId: 1 } index on MongoDB). */
  async connectionsWithChannels(calendarIds: readonly string[]): Promise<Set<string>> {
    const found = await this.model
      .find({ calendarId: { $in: [...calendarIds] } }, { _id: 0, calendarId: 1 })
      .lean<Pick<PushChannel, 'calendarId'>[]>()
      .exec();
    return new Set(found.map((channel) => channel.calendarId));
  }

  /** Every channel id (read once at start: a scan of the _id index). */
  async allIds(): Promise<string[]> {
    const all = await this.model.find({}, { _id: 1 }).lean<Pick<PushChannel, '_id'>[]>().exec();
    return all.map((channel) => channel._id);
  }

  /** Open channels due for renewal, most urgent first. */
  findDueForRenewal(now: Date, limit: number): Promise<PushChannel[]> {
    return this.model
      .find({ renewAt: { $ne: null, $lte: now } })
      .sort({ renewAt: 1 })
      .limit(limit)
      .lean<PushChannel[]>()
      .exec();
  }

  async delete(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id }).exec();
  }

  async deleteByConnection(calendarId: string): Promise<number> {
    return (await this.model.deleteMany({ calendarId }).exec()).deletedCount;
  }

  count(): Promise<number> {
    return this.model.countDocuments({ resourceId: { $ne: null } }).exec();
  }
}
