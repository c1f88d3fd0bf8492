import { DocumentCondition, DocumentWrites } from '@connector-service/app-core';
import { testDatabaseUri } from '@connector-service/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import type { CommandStartedEvent, Document } from 'mongodb';
import mongoose, { Connection, Model, Schema, Types } from 'mongoose';
import { LeaseRepository } from '../src/leases/lease.repository';
import { MetadataOutboxRepository } from '../src/metadata-outbox/metadata-outbox.repository';
import { WebhookApiUnderTest, startWebhookApiRecordingCommands } from './support/webhook-api-app';

/** DocumentWrites as it is on a server whose buildInfo this is (the database itself stays the real one). */
async function writesAs(buildInfo: Record<string, unknown>): Promise<DocumentWrites> {
  const connection = { db: { admin: () => ({ command: async () => buildInfo }) } } as unknown as Connection;
  const writes = new DocumentWrites(connection);
  await writes.onModuleInit();
  return writes;
}

interface Doc {
  _id: string;
  token: string | null;
  dueAt: Date | null;
  owner: Types.ObjectId;
  attempts: number;
  tags: string[];
  changes: { deliveryId: string }[];
  count?: number;
}

/**
 * DocumentWrites.updateOne reads one document by `_id` and matches the condition itself on
 * FerretDB: each filter must update exactly when the server's own conditional update does.
 * Differential: the same filters, once through the server's updateOne, once through the
 * emulation, on copies of one document in the real test database.
 */
describe('DocumentWrites.updateOne (e2e: the real database)', () => {
  let connection: Connection;
  let model: Model<Doc>;
  let server: DocumentWrites;
  let emulated: DocumentWrites;
  const owner = new Types.ObjectId();
  const dueAt = new Date('2026-12-06T10:00:00.000Z');
  const base: Doc = {
    _id: 'x',
    token: 'tok-1',
    dueAt,
    owner,
    attempts: 2,
    tags: ['a', 'b'],
    changes: [{ deliveryId: 'd1' }, { deliveryId: 'd2' }],
  };

  beforeAll(async () => {
    connection = await mongoose.createConnection(testDatabaseUri('conditional_writes')).asPromise();
    model = connection.model<Doc>(
      'Doc',
      new Schema<Doc>({
        _id: String,
        token: { type: String, default: null },
        dueAt: { type: Date, default: null },
        owner: Schema.Types.ObjectId,
        attempts: Number,
        tags: [String],
        changes: [{ _id: false, deliveryId: String }],
        count: Number,
      }),
    );
    server = await writesAs({ version: '7.0.14' });
    emulated = await writesAs({ ferretdbVersion: 'v1.24.2' });
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const conditions: Record<string, Record<string, unknown>> = {
    'bare _id': {},
    'equal string': { token: 'tok-1' },
    'other string': { token: 'tok-2' },
    'null on a value': { token: null },
    'null on a missing field': { count: null },
    'equal date': { dueAt: new Date(dueAt) },
    'other date': { dueAt: new Date(dueAt.getTime() + 1) },
    'date as a string (cast)': { dueAt: dueAt.toISOString() },
    ObjectId: { owner: new Types.ObjectId(owner.toHexString()) },
    'ObjectId as a string (cast)': { owner: owner.toHexString() },
    'other ObjectId': { owner: new Types.ObjectId() },
    '$in with null': { dueAt: { $in: [new Date(dueAt), null] } },
    '$in without': { dueAt: { $in: [null] } },
    '$ne null': { dueAt: { $ne: null } },
    $lte: { dueAt: { $lte: new Date(dueAt.getTime() + 1000) } },
    $gt: { dueAt: { $gt: dueAt } },
    'array element': { tags: 'b' },
    'array element absent': { tags: 'c' },
    'an array element by index': { 'changes.1.deliveryId': 'd2' },
    'another array element by index': { 'changes.0.deliveryId': 'd2' },
    'two fields, one wrong': { token: 'tok-1', attempts: 3 },
    'two fields': { token: 'tok-1', attempts: 2 },
    '$exists false': { count: { $exists: false } },
    $or: { $or: [{ token: 'nope' }, { attempts: { $gte: 2 } }] },
  };

  it.each(Object.entries(conditions))('%s: updates exactly when the server does', async (name, condition) => {
    const outcomes = [];
    for (const [label, writes] of [
      ['server', server],
      ['emulated', emulated],
    ] as const) {
      const id = `${label}-${name}`;
      await model.create({ ...base, _id: id });
      const filter: DocumentCondition = { _id: id, ...condition };
      const result = await writes.updateOne(model, filter, { $set: { token: 'tok-next' }, $inc: { attempts: 1 } });
      const after = await model.findById(id).lean().exec();
      outcomes.push({
        matched: result.matchedCount,
        modified: result.modifiedCount,
        token: after?.token,
        attempts: after?.attempts,
      });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('a document that is not there is not updated (nor made)', async () => {
    for (const writes of [server, emulated]) {
      const result = await writes.updateOne(model, { _id: 'nowhere', token: null }, { $set: { attempts: 1 } });
      expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    }
    expect(await model.findById('nowhere').lean().exec()).toBeNull();
  });

  it('on FerretDB reads the document by _id alone (the fields its condition names), never the collection with the condition', async () => {
    await model.create({ ...base, _id: 'watched' });
    const filters: unknown[] = [];
    const projections: unknown[] = [];
    const spy = jest.spyOn(model, 'updateOne');
    const find = jest.spyOn(model, 'findById');
    try {
      await emulated.updateOne(model, { _id: 'watched', token: 'tok-1' }, { $set: { attempts: 9 } });
      filters.push(...spy.mock.calls.map((call) => call[0]), ...find.mock.calls.map((call) => ({ _id: call[0] })));
      projections.push(...find.mock.calls.map((call) => call[1]));
    } finally {
      spy.mockRestore();
      find.mockRestore();
    }
    expect(filters).toEqual([{ _id: 'watched' }, { _id: 'watched' }]);
    expect(projections).toEqual([{ _id: 1, token: 1 }]);
    expect((await model.findById('watched').lean().exec())?.attempts).toBe(9);
  });
});

/**
 * The app's conditional writes of one document go through DocumentWrites.updateOne: on
 * FerretDB a filter with more than `_id` reads the whole collection (FerretDB 1.x uses no
 * index), so the update names the document by `_id` alone after the condition was matched
 * on that one document; on MongoDB the condition stays in the update's filter.
 */
describe("The app's conditional writes of one document (e2e: the real database)", () => {
  let api: WebhookApiUnderTest;
  let serializing: boolean;
  let commands: CommandStartedEvent[];

  beforeAll(async () => {
    ({ api, commands } = await startWebhookApiRecordingCommands());
    serializing = api.app.get(DocumentWrites).serializing;
  });
  afterAll(async () => {
    await api?.close();
  });

  /** The filters of the updates and finds sent to `collection` while `work` ran. */
  async function filtersDuring(collection: string, work: () => Promise<unknown>): Promise<Document[]> {
    const from = commands.length;
    await work();
    return commands.slice(from).flatMap(({ commandName, command }) => {
      if (command[commandName] !== collection) return [];
      if (commandName === 'update') return (command['updates'] as { q: Document }[]).map((u) => u.q);
      if (commandName === 'find') return [command['filter'] as Document];
      return [];
    });
  }
  const byIdAlone = (filters: Document[]) => filters.every((f) => Object.keys(f).join() === '_id');

  it('a lease is renewed only by its token, naming the lease by _id alone on FerretDB', async () => {
    const leases = api.app.get(LeaseRepository);
    expect(await leases.tryAcquire('work:conditional', 'mine', 10_000)).toBe(true);
    let renewed: boolean[] = [];
    const filters = await filtersDuring('leases', async () => {
      renewed = [
        await leases.renew('work:conditional', 'theirs', 10_000),
        await leases.renew('work:conditional', 'mine', 10_000),
      ];
    });
    expect(renewed).toEqual([false, true]);
    expect(filters.length).toBeGreaterThan(0);
    expect(byIdAlone(filters)).toBe(serializing);
  });

  it('the metadata outbox writes only over the state version it delivered, naming the connection by _id alone on FerretDB', async () => {
    const outbox = api.app.get(MetadataOutboxRepository);
    const connections = api.app.get<Connection>(getConnectionToken()).collection('googlecalendarconnections');
    const _id = new Types.ObjectId();
    await connections.insertOne({
      _id,
      stateVersion: 3,
      metadataUpdate: { pending: true, attempts: 0, lastError: null },
    });
    const filters = await filtersDuring('googlecalendarconnections', async () => {
      await outbox.retryLater(_id, 2, new Date(), 'stale'); // an older state's attempt: not written
      await outbox.retryLater(_id, 3, new Date(), 'refused');
    });
    expect((await connections.findOne({ _id }))?.['metadataUpdate']).toMatchObject({
      attempts: 1,
      lastError: 'refused',
    });
    expect(filters.length).toBeGreaterThan(0);
    expect(byIdAlone(filters)).toBe(serializing);
  });
});
