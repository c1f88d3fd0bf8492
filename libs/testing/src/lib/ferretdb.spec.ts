import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { databaseUri, ferretDbBinaryPath, FerretDbServer, startFerretDb } from './ferretdb';

jest.setTimeout(60_000);

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('startFerretDb', () => {
  const servers: FerretDbServer[] = [];
  const clients: MongoClient[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the binary in the workspace', () => {
    expect(ferretDbBinaryPath()).toMatch(/tools\/ferretdb\/bin\/ferretdb$/);
    expect(existsSync(ferretDbBinaryPath())).toBe(true);
  });

  it('serves the MongoDB protocol until stopped, then frees its port and temp dir', async () => {
    const server = await startFerretDb();
    servers.push(server);
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/`);
    expect(existsSync(server.dataDir)).toBe(true);

    const client = new MongoClient(databaseUri(server.uri, 'ferretdb_spec'));
    clients.push(client);
    const items = client.db().collection<{ name: string; n: number }>('items');
    await items.insertMany([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    const found = await items.find({ n: { $gt: 1 } }, { projection: { _id: 0 } }).toArray();
    expect(found).toEqual([{ name: 'b', n: 2 }]);
    await client.close();

    await server.stop();
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
    expect(existsSync(server.dataDir)).toBe(false);
    // A second stop is harmless.
    await expect(server.stop()).resolves.toBeUndefined();
  });

  it('keeps a given data dir, so data survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-spec-'));
    dirs.push(dataDir);

    const first = await startFerretDb({ dataDir });
    servers.push(first);
    const writer = new MongoClient(databaseUri(first.uri, 'persist'));
    clients.push(writer);
    await writer.db().collection('things').insertOne({ kept: true });
    await writer.close();
    await first.stop();
    expect(existsSync(dataDir)).toBe(true);

    const second = await startFerretDb({ dataDir });
    servers.push(second);
    const reader = new MongoClient(databaseUri(second.uri, 'persist'));
    clients.push(reader);
    const doc = await reader
      .db()
      .collection('things')
      .findOne({}, { projection: { _id: 0 } });
    expect(doc).toEqual({ kept: true });
  });

  it('fails with FerretDB stderr when the port is taken', async () => {
    const holder = await startFerretDb();
    servers.push(holder);
    await expect(startFerretDb({ port: holder.port })).rejects.toThrow(/FerretDB exited[\s\S]*stderr/);
  });
});

describe('databaseUri', () => {
  it.each([
    ['mongodb://h:1/?x=1', 'db', 'mongodb://h:1/db?x=1'],
    ['mongodb://h:1', 'db', 'mongodb://h:1/db'],
    ['mongodb://h:1/', 'db', 'mongodb://h:1/db'],
    ['mongodb://h:1/old', 'db', 'mongodb://h:1/db'],
    ['mongodb://h:1/old?a=1&b=2', 'db', 'mongodb://h:1/db?a=1&b=2'],
    ['mongodb://h:1?x=1', 'db', 'mongodb://h:1/db?x=1'],
    ['mongodb://u:p%40ss@h1:1,h2:2/admin?replicaSet=rs0', 'app', 'mongodb://u:p%40ss@h1:1,h2:2/app?replicaSet=rs0'],
    [
      'mongodb+srv://u:p@cluster.example.net/?retryWrites=true',
      'app',
      'mongodb+srv://u:p@cluster.example.net/app?retryWrites=true',
    ],
  ])('databaseUri(%s, %s) = %s', (base, db, expected) => {
    expect(databaseUri(base, db)).toBe(expected);
  });

  it('rejects a string that is not a URI', () => {
    expect(() => databaseUri('localhost:27017', 'db')).toThrow(/Not a MongoDB URI/);
  });
});
