import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { Model } from 'mongoose';
import { ConnectorSubaccount } from './connector.schema';

export type ConnectorRecord = ConnectorSubaccount;

export class DuplicateConnectorError extends Error {}

/** The only code that touches the `connectorsubaccount` collection. */
@Injectable()
export class ConnectorRepository implements OnModuleInit {
  constructor(
    @InjectModel(ConnectorSubaccount.name) private readonly model: Model<ConnectorSubaccount>,
    /** Versioned merges are conditional updates; see DocumentWrites for why they may queue. */
    private readonly writes: DocumentWrites,
  ) {}

  /** Builds the unique index before the first request, so duplicates are refused from the start. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async create(
    connector: Pick<ConnectorRecord, 'subaccountId' | 'connectorId' | 'name' | 'config'>,
  ): Promise<ConnectorRecord> {
    try {
      const created = await this.model.create({ ...connector, metadata: {} });
      return created.toObject();
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateConnectorError();
      throw error;
    }
  }

  /*
   * The hot reads go to the driver's collection: the documents are only read and mapped to
   * DTOs, and mongoose's query layer (building, casting, wrapping the cursor) is a few per cent
   * of this app's CPU under the list load. Filters are validated strings: nothing to cast.
   */
  findAll(subaccountId: string): Promise<ConnectorRecord[]> {
    return this.model.collection
      .find<ConnectorRecord>({ subaccountId }, { sort: { createdAt: 1, connectorId: 1 } })
      .toArray();
  }

  findOne(subaccountId: string, connectorId: string): Promise<ConnectorRecord | null> {
    return this.model.collection.findOne<ConnectorRecord>({ subaccountId, connectorId });
  }

  async delete(subaccountId: string, connectorId: string): Promise<boolean> {
    const result = await this.model.deleteOne({ subaccountId, connectorId }).exec();
    return result.deletedCount === 1;
  }

  /**
   * Sets the given metadata keys in one atomic `$set` (one path per key, so other keys
   * stay; no read-modify-write). With a version, only a newer one than the last applied
   * is written. Returns null when the connector does not exist.
   */
  async mergeMetadata(
    subaccountId: string,
    connectorId: string,
    metadata: Record<string, unknown>,
    version?: number,
  ): Promise<{ connector: ConnectorRecord; applied: boolean } | null> {
    const paths = Object.entries(metadata).map(([key, value]) => [`metadata.${key}`, value]);
    if (paths.length === 0 && version === undefined) {
      const connector = await this.findOne(subaccountId, connectorId);
      return connector && { connector, applied: true };
    }
    const filter =
      version === undefined
        ? { subaccountId, connectorId }
        : {
            subaccountId,
            connectorId,
            $or: [{ metadataVersion: { $exists: false } }, { metadataVersion: { $lt: version } }],
          };
    const set = Object.fromEntries(version === undefined ? paths : [...paths, ['metadataVersion', version]]);
    const updated = await this.writes.run(`${subaccountId}/${connectorId}`, () =>
      this.model.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' }).lean().exec(),
    );
    if (updated) return { connector: updated, applied: true };
    const current = await this.findOne(subaccountId, connectorId);
    return current && { connector: current, applied: false };
  }
}
