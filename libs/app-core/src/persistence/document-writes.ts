import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, Model, UpdateQuery } from 'mongoose';
import sift from 'sift';

/** A filter naming one document by its `_id`, with the condition it must meet to be updated. */
export type DocumentCondition = { _id: unknown } & Record<string, unknown>;

/** What a conditional update of one document did. */
export interface DocumentUpdate {
  matchedCount: number;
  modifiedCount: number;
}

/**
 * The one place that works around FerretDB 1.x losing concurrent updates: it applies
 * findAndModify/update as read → modify in memory → replace by _id, without isolation, so
 * two writers to one document can lose an update (seen: an outbox completion putting back
 * the state it had read over a reconnect written meanwhile). MongoDB applies each update
 * atomically per document, so there every write runs at once. On FerretDB (detected at
 * start from `buildInfo`) this process's writes to one document run one after another.
 * Writes from several replicas to one document still rely on MongoDB.
 *
 * It also keeps FerretDB 1.x from reading a whole collection for each conditional update of
 * one document (`updateOne`): FerretDB uses no index, and reads by `_id` alone only for a
 * filter that is a bare `_id`.
 */
@Injectable()
export class DocumentWrites implements OnModuleInit {
  private serialize = false;
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onModuleInit(): Promise<void> {
    const db = this.connection.db;
    if (!db) return;
    this.serialize = isFerretDb(await db.admin().command({ buildInfo: 1 }));
  }

  /** Whether writes are being serialized (the server is FerretDB). */
  get serializing(): boolean {
    return this.serialize;
  }

  /** Runs `write`, after earlier writes of this process to `documentKey` when on FerretDB. */
  run<T>(documentKey: string, write: () => Promise<T>): Promise<T> {
    if (!this.serialize) return write();
    const previous = this.tails.get(documentKey) ?? Promise.resolve();
    const result = previous.then(write, write);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(documentKey, tail);
    void tail.then(() => {
      if (this.tails.get(documentKey) === tail) this.tails.delete(documentKey);
    });
    return result;
  }

  /**
   * `model.updateOne(filter, update)` of the one document `filter._id` names, if it meets the
   * rest of `filter`, after this process's earlier writes to it (`run`). MongoDB gets the
   * filter as it is, so the condition is applied atomically there. On FerretDB the document
   * is read by `_id` (the fields the condition names), checked against the filter with
   * MongoDB's query semantics (sift) and updated by `_id`: what FerretDB's own updateOne does
   * after reading the whole collection (read, check, write by `_id`; no less isolated than
   * that), at the cost of one document.
   */
  updateOne<T>(model: Model<T>, filter: DocumentCondition, update: UpdateQuery<T>): Promise<DocumentUpdate> {
    const id = filter._id;
    return this.run(String(id), async () => {
      if (!this.serialize) return model.updateOne(filter as never, update).exec();
      const current = await model.findById(id, conditionFields(filter)).lean().exec();
      // Cast like the server-side filter would be (ids, dates), then matched as MongoDB matches.
      const condition = model.find(filter as never).cast(model);
      if (!current || !sift(condition)(current)) return { matchedCount: 0, modifiedCount: 0 };
      return model.updateOne({ _id: id } as never, update).exec();
    });
  }
}

/** The fields `filter`'s condition reads, as a projection (all of them for a top-level operator). */
function conditionFields(filter: DocumentCondition): Record<string, 1> | null {
  const keys = Object.keys(filter).filter((key) => key !== '_id');
  if (keys.some((key) => key.startsWith('$'))) return null;
  return Object.fromEntries([['_id', 1], ...keys.map((key) => [key.split('.')[0] as string, 1 as const])]);
}

export function isFerretDb(buildInfo: Record<string, unknown>): boolean {
  return 'ferretdbVersion' in buildInfo;
}

/** Provides DocumentWrites to every repository of the app. */
@Global()
@Module({ providers: [DocumentWrites], exports: [DocumentWrites] })
export class DocumentWritesModule {}
