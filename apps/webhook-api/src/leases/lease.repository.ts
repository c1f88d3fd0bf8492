import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { Lease } from './lease.schema';

/**
 * Mutual exclusion across replicas, for work that must not run twice at once (delivering
 * one metadata update, refreshing one connection's token). Taking a lease is an insert of
 * a document keyed by the work's name: of several replicas exactly one insert succeeds,
 * on MongoDB and on FerretDB alike (a conditional update would not be atomic on FerretDB
 * 1.x). A lease whose holder died expires at `until` and can then be taken over.
 */
@Injectable()
export class LeaseRepository {
  constructor(@InjectModel(Lease.name) private readonly model: Model<Lease>) {}

  async tryAcquire(key: string, owner: string, durationMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const now = new Date();
      try {
        await this.model.create({ _id: key, owner, until: new Date(now.getTime() + durationMs) });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.model.findById(key).lean().exec();
      if (held && held.until.getTime() > now.getTime()) return false;
      // Expired (or just released): clear exactly that lease, then race for it once more.
      if (held) await this.model.deleteOne({ _id: key, owner: held.owner, until: held.until }).exec();
    }
    return false;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.model.deleteOne({ _id: key, owner }).exec();
  }
}
