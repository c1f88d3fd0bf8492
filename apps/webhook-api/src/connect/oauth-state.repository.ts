import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { createHash } from 'node:crypto';
import { OAuthState } from './oauth-state.schema';

export type PendingAuthorization = Omit<OAuthState, '_id'>;

/** The only code that touches the OAuth state collection. */
@Injectable()
export class OAuthStateRepository {
  constructor(
    @InjectModel(OAuthState.name) private readonly model: Model<OAuthState>,
    private readonly writes: DocumentWrites,
  ) {}

  async save(state: string, pending: PendingAuthorization): Promise<void> {
    await this.model.create({ _id: hashState(state), ...pending });
  }

  /**
   * Takes the state out in one delete, so of two concurrent callbacks only one gets it
   * (serialized per state on FerretDB as well, see DocumentWrites). Expired states are taken out too (and
   * then refused by the caller).
   */
  consume(state: string): Promise<PendingAuthorization | null> {
    const id = hashState(state);
    return this.writes.run(id, () => this.model.findOneAndDelete({ _id: id }).lean().exec());
  }

  /** Pending states with their sealed verifiers, by id, in pages (for a key rotation). */
  findPage(afterId: string | null, limit: number): Promise<Pick<OAuthState, '_id' | 'codeVerifier'>[]> {
    return this.model
      .find(afterId === null ? {} : { _id: { $gt: afterId } }, { _id: 1, codeVerifier: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Pick<OAuthState, '_id' | 'codeVerifier'>[]>()
      .exec();
  }

  /** Replaces a sealed verifier only if it is still the one read (the state may have been used meanwhile). */
  async replaceSealedVerifier(id: string, expected: string, replacement: string): Promise<boolean> {
    const result = await this.writes.run(id, () =>
      this.model.updateOne({ _id: id, codeVerifier: expected }, { $set: { codeVerifier: replacement } }).exec(),
    );
    return result.modifiedCount === 1;
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lte: now } }).exec();
    return result.deletedCount;
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
