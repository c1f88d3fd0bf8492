import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SerialWrites } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { createHash } from 'node:crypto';
import { OAuthState } from './oauth-state.schema';

export type PendingAuthorization = Omit<OAuthState, '_id'>;

/** The only code that touches the OAuth state collection. */
@Injectable()
export class OAuthStateRepository {
  private readonly writes = new SerialWrites();

  constructor(@InjectModel(OAuthState.name) private readonly model: Model<OAuthState>) {}

  async save(state: string, pending: PendingAuthorization): Promise<void> {
    await this.model.create({ _id: hashState(state), ...pending });
  }

  /**
   * Takes the state out in one delete, so of two concurrent callbacks only one gets it
   * (serialized here as well, see SerialWrites). Expired states are taken out too (and
   * then refused by the caller).
   */
  consume(state: string): Promise<PendingAuthorization | null> {
    return this.writes.run(() => this.model.findOneAndDelete({ _id: hashState(state) }).lean().exec());
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lte: now } }).exec();
    return result.deletedCount;
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
