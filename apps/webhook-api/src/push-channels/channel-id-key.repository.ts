import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@connector-service/app-core';
import { CHANNEL_ID_KEY_ID, ChannelIdKey } from './channel-id-key.schema';

/** The `pushchannelidkeys` collection's only door. */
@Injectable()
export class ChannelIdKeyRepository {
  constructor(@InjectModel(ChannelIdKey.name) private readonly model: Model<ChannelIdKey>) {}

  /** The deployment's key: the stored one, or `candidate` if none was stored yet (two replicas agree on one). */
  async obtain(candidate: Buffer): Promise<Buffer> {
    const filter = { _id: CHANNEL_ID_KEY_ID };
    const insert = { $setOnInsert: { key: candidate.toString('base64'), createdAt: new Date() } };
    let stored: ChannelIdKey | null;
    try {
      stored = await this.model
        .findOneAndUpdate(filter, insert, { upsert: true, returnDocument: 'after' })
        .lean<ChannelIdKey>()
        .exec();
    } catch (error) {
      // Two first upserts at once: one inserted, the other reads what it inserted.
      if (!isDuplicateKeyError(error)) throw error;
      stored = await this.model.findOne(filter).lean<ChannelIdKey>().exec();
    }
    if (!stored) throw new Error('The channel-id key could not be stored');
    return Buffer.from(stored.key, 'base64');
  }
}
