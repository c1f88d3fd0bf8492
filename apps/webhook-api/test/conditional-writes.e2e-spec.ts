import { DocumentCondition, DocumentWrites } from '@connector-service/app-core';
import { testDatabaseUri } from '@connector-service/testing';
import mongoose, { Connection, Model, Schema, Types } from 'mongoose';

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

  it('on FerretDB reads the document by _id alone, never the collection with the condition', async () => {
    await model.create({ ...base, _id: 'watched' });
    const filters: unknown[] = [];
    const spy = jest.spyOn(model, 'updateOne');
    const find = jest.spyOn(model, 'findById');
    try {
      await emulated.updateOne(model, { _id: 'watched', token: 'tok-1' }, { $set: { attempts: 9 } });
      filters.push(...spy.mock.calls.map((call) => call[0]), ...find.mock.calls.map((call) => ({ _id: call[0] })));
    } finally {
      spy.mockRestore();
      find.mockRestore();
    }
    expect(filters).toEqual([{ _id: 'watched' }, { _id: 'watched' }]);
    expect((await model.findById('watched').lean().exec())?.attempts).toBe(9);
  });
});
