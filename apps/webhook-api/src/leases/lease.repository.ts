import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { LEASE_HOLDER } from './lease-holder';
import { Lease } from './lease.schema';

/**
 * Leases across replicas, for work that must not run twice at once. Taking a lease is an
 * insert of a document keyed by the work's name: of several takers exactly one insert
 * succeeds, on MongoDB and on FerretDB alike (a conditional update would not be atomic on
 * FerretDB 1.x). Every acquisition has its own token; only that token renews or releases
 * the lease, so a holder that lost it can never extend or free a later holder's.
 */
@Injectable()
export class LeaseRepository {
  constructor(
    @InjectModel(Lease.name) private readonly model: Model<Lease>,
    private readonly writes: DocumentWrites,
  ) {}

  /** Takes the lease `key` for the acquisition `token` until now + `durationMs`; false if it is held. */
  async tryAcquire(key: string, token: string, durationMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const now = new Date();
      try {
        await this.model.create({ _id: key, token, holder: LEASE_HOLDER, until: new Date(now.getTime() + durationMs) });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.model.findById(key).lean().exec();
      if (held && held.until.getTime() > now.getTime()) return false;
      // Expired (or just released): clear exactly that acquisition's lease, then race for it once more.
      if (held) {
        await this.writes.run(key, () =>
          this.model.deleteOne({ _id: key, token: held.token, until: held.until }).exec(),
        );
      }
    }
    return false;
  }

  /** Pushes the lease on to now + `durationMs` if `token` still holds it; false if it does not. */
  async renew(key: string, token: string, durationMs: number): Promise<boolean> {
    // In turn with this process's takeovers of the key: FerretDB applies an update as read,
    // modify, replace, which could otherwise put this token back over a takeover's insert.
    const result = await this.writes.updateOne(
      this.model,
      { _id: key, token },
      { $set: { until: new Date(Date.now() + durationMs) } },
    );
    return result.matchedCount === 1;
  }

  /** Frees the lease if `token` still holds it. */
  async release(key: string, token: string): Promise<void> {
    await this.model.deleteOne({ _id: key, token }).exec();
  }
}
