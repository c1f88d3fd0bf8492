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

  findById(id: string): Promise<PushChannel | null> {
    return this.model.findById(id).lean<PushChannel>().exec();
  }

  findByConnection(calendarId: string): Promise<PushChannel[]> {
    return this.model.find({ calendarId }).sort({ openedAt: 1 }).lean<PushChannel[]>().exec();
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
