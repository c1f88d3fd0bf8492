import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DocumentWrites, isDuplicateKeyError } from '@connector-service/app-core';
import type { Model, Types } from 'mongoose';
import { ConnectorSubaccount } from './connector.schema';
import { ConnectorTombstone } from './connector-tombstone.schema';

export type ConnectorRecord = ConnectorSubaccount & { _id: Types.ObjectId };

export class DuplicateConnectorError extends Error {}

/**
 * Closed scopes kept per connector id: leftovers of epochs older than this many removals
 * gave up long before (a metadata update meets the 404 of the removed connector and stops).
 */
const MAX_CLOSED_VERSION_SCOPES = 20;
/** Conditional deletes retried when a versioned update moved the connector's scope meanwhile. */
const MAX_DELETE_RACES = 5;

/**
 * The only code that touches the `connectorsubaccount` collection (and the tombstones its
 * removed connectors leave in `connectortombstones`).
 */
@Injectable()
export class ConnectorRepository implements OnModuleInit {
  constructor(
    @InjectModel(ConnectorSubaccount.name) private readonly model: Model<ConnectorSubaccount>,
    @InjectModel(ConnectorTombstone.name) private readonly tombstones: Model<ConnectorTombstone>,
    /** Versioned merges are conditional updates; see DocumentWrites for why they may queue. */
    private readonly writes: DocumentWrites,
  ) {}

  /** Builds the unique indexes before the first request, so duplicates are refused from the start. */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.model.init(), this.tombstones.init()]);
  }

  /** A new connector, empty, refusing the version scopes of those removed before it under its ids. */
  async create(
    connector: Pick<ConnectorRecord, 'subaccountId' | 'connectorId' | 'name' | 'config'>,
  ): Promise<ConnectorRecord> {
    const tombstone = await this.tombstones.collection.findOne<ConnectorTombstone>({
      subaccountId: connector.subaccountId,
      connectorId: connector.connectorId,
    });
    try {
      const created = await this.model.create({
        ...connector,
        metadata: {},
        ...(tombstone?.closedVersionScopes.length ? { closedVersionScopes: tombstone.closedVersionScopes } : {}),
      });
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

  /** The connector `connectorId` of each of these subaccounts that has one, in one read. */
  findOfSubaccounts(subaccountIds: readonly string[], connectorId: string): Promise<ConnectorRecord[]> {
    return this.model.collection
      .find<ConnectorRecord>({ subaccountId: { $in: [...subaccountIds] }, connectorId })
      .toArray();
  }

  findOne(subaccountId: string, connectorId: string): Promise<ConnectorRecord | null> {
    return this.model.collection.findOne<ConnectorRecord>({ subaccountId, connectorId });
  }

  /**
   * Removes the connector, first recording in its tombstone the version scope its metadata
   * was written in, so a connector created again never takes an update meant for this one.
   * The delete is conditional on that scope, so an update that moved it meanwhile is closed too.
   */
  async delete(subaccountId: string, connectorId: string): Promise<boolean> {
    for (let race = 0; race < MAX_DELETE_RACES; race += 1) {
      const connector = await this.findOne(subaccountId, connectorId);
      if (!connector) return false;
      const scope = connector.metadataVersionScope ?? null;
      if (scope !== null) await this.closeVersionScope(connector, scope);
      const result = await this.model.deleteOne({ _id: connector._id, metadataVersionScope: scope }).exec();
      if (result.deletedCount === 1) return true;
    }
    throw new Error(`Connector ${connectorId} of ${subaccountId} kept changing; not deleted`);
  }

  /**
   * Sets the given metadata keys in one atomic `$set` (one path per key, so other keys
   * stay; no read-modify-write). With a version, only a newer one than the last applied of
   * the same `versionScope` is written (an update of another scope is, whatever its version:
   * versions order one sender's updates, and a caller that cannot name a scope cannot
   * hold back the updates of its owner); an update of a closed scope never is. Returns null
   * when the connector does not exist.
   */
  async mergeMetadata(
    subaccountId: string,
    connectorId: string,
    metadata: Record<string, unknown>,
    version?: { value?: number; scope?: string },
  ): Promise<{ connector: ConnectorRecord; applied: boolean } | null> {
    const paths = Object.entries(metadata).map(([key, value]) => [`metadata.${key}`, value]);
    const scope = version?.scope ?? null;
    const value = version?.value;
    if (paths.length === 0 && value === undefined) {
      const connector = await this.findOne(subaccountId, connectorId);
      return connector && { connector, applied: scope === null || !connector.closedVersionScopes?.includes(scope) };
    }
    const filter = {
      subaccountId,
      connectorId,
      ...(value === undefined
        ? {}
        : {
            $or: [
              { metadataVersion: { $exists: false } },
              { metadataVersion: { $lt: value } },
              { metadataVersionScope: { $ne: scope } },
            ],
          }),
      ...(scope === null ? {} : { closedVersionScopes: { $ne: scope } }),
    };
    const set = Object.fromEntries(
      value === undefined ? paths : [...paths, ['metadataVersion', value], ['metadataVersionScope', scope]],
    );
    const updated = await this.writes.run(`${subaccountId}/${connectorId}`, () =>
      this.model.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' }).lean<ConnectorRecord>().exec(),
    );
    if (updated) return { connector: updated, applied: true };
    const current = await this.findOne(subaccountId, connectorId);
    return current && { connector: current, applied: false };
  }

  private async closeVersionScope(connector: ConnectorRecord, scope: string): Promise<void> {
    const closed = [...new Set([...(connector.closedVersionScopes ?? []), scope])].slice(-MAX_CLOSED_VERSION_SCOPES);
    await this.tombstones
      .updateOne(
        { subaccountId: connector.subaccountId, connectorId: connector.connectorId },
        { $set: { closedVersionScopes: closed } },
        { upsert: true },
      )
      .exec();
  }
}
