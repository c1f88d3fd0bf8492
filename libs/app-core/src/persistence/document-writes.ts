import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/**
 * The one place that works around FerretDB 1.x losing concurrent updates: it applies
 * findAndModify/update as read → modify in memory → replace by _id, without isolation, so
 * two writers to one document can lose an update (seen: an outbox completion putting back
 * the state it had read over a reconnect written meanwhile). MongoDB applies each update
 * atomically per document, so there every write runs at once. On FerretDB (detected at
 * start from `buildInfo`) this process's writes to one document run one after another.
 * Writes from several replicas to one document still rely on MongoDB.
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
}

export function isFerretDb(buildInfo: Record<string, unknown>): boolean {
  return 'ferretdbVersion' in buildInfo;
}

/** Provides DocumentWrites to every repository of the app. */
@Global()
@Module({ providers: [DocumentWrites], exports: [DocumentWrites] })
export class DocumentWritesModule {}
