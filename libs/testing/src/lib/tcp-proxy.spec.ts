import { createServer, Server, Socket, connect } from 'node:net';
import { MongoClient } from 'mongodb';
import { databaseUri, FerretDbServer, startFerretDb } from './ferretdb';
import { mongoUriHostPort, replaceMongoUriHostPort, startTcpProxy, TcpProxy } from './tcp-proxy';

/** Connects, sends `message`, resolves with what comes back (or the error code). */
function roundTrip(port: number, message: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setEncoding('utf8');
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(`error:${err.code ?? err.message}`));
    socket.once('connect', () => socket.write(message));
    socket.once('data', (data: string) => {
      socket.destroy();
      resolve(data);
    });
  });
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    if (address === null || typeof address === 'string') throw new Error('echo server has no port');
    proxy = await startTcpProxy({ host: '127.0.0.1', port: address.port });
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('passes data through to the target and back', async () => {
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');
  });

  it('cut() drops live connections and refuses new ones; restore() brings it back', async () => {
    const live = connect({ host: proxy.host, port: proxy.port });
    await new Promise<void>((resolve) => live.once('connect', () => resolve()));
    const liveClosed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    live.on('error', () => undefined);

    proxy.cut();
    await liveClosed;
    expect(live.destroyed).toBe(true);
    expect(await roundTrip(proxy.port, 'while cut')).toBe('error:ECONNREFUSED');

    await proxy.restore();
    expect(await roundTrip(proxy.port, 'after restore')).toBe('after restore');
  });

  it('closes the client side when the target is down', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const address = dead.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => dead.close(() => resolve()));

    const orphan = await startTcpProxy({ host: '127.0.0.1', port: address.port });
    try {
      const client: Socket = connect({ host: orphan.host, port: orphan.port });
      client.on('error', () => undefined);
      await new Promise<void>((resolve) => client.once('close', () => resolve()));
      expect(client.destroyed).toBe(true);
    } finally {
      await orphan.close();
    }
  });

  it('close() frees the port for good', async () => {
    const other = await startTcpProxy({ host: '127.0.0.1', port: 1 });
    await other.close();
    expect(await roundTrip(other.port, 'x')).toBe('error:ECONNREFUSED');
    await expect(other.restore()).rejects.toThrow(/closed/);
  });
});

describe('startTcpProxy in front of FerretDB', () => {
  let ferret: FerretDbServer;
  let proxy: TcpProxy;
  let client: MongoClient;

  beforeAll(async () => {
    ferret = await startFerretDb();
    proxy = await startTcpProxy(mongoUriHostPort(ferret.uri));
    const viaProxy = replaceMongoUriHostPort(ferret.uri, proxy.host, proxy.port);
    client = new MongoClient(databaseUri(viaProxy, 'proxy_spec'), {
      serverSelectionTimeoutMS: 1000,
      connectTimeoutMS: 1000,
      retryWrites: false,
    });
  }, 30_000);

  afterAll(async () => {
    await client.close();
    await proxy.close();
    await ferret.stop();
  });

  it('makes the database unreachable for the driver until restored', async () => {
    const docs = client.db().collection('docs');
    await docs.insertOne({ phase: 'before' });

    proxy.cut();
    await expect(docs.insertOne({ phase: 'during' })).rejects.toThrow();

    await proxy.restore();
    // The driver rediscovers the server on its own once the port answers again.
    await expect(docs.insertOne({ phase: 'after' })).resolves.toBeDefined();
    const phases = (await docs.find().toArray()).map((d) => d['phase'] as string).sort();
    expect(phases).toEqual(['after', 'before']);
  }, 30_000);
});

describe('mongoUriHostPort', () => {
  it.each([
    ['mongodb://127.0.0.1:27018/', { host: '127.0.0.1', port: 27018 }],
    ['mongodb://db.example.com/app', { host: 'db.example.com', port: 27017 }],
    ['mongodb://u:p%40w@h1:1111,h2:2222/app?replicaSet=rs', { host: 'h1', port: 1111 }],
    ['mongodb://[::1]:3000/?x=1', { host: '::1', port: 3000 }],
    ['mongodb://localhost?x=1', { host: 'localhost', port: 27017 }],
  ])('%s', (uri, expected) => {
    expect(mongoUriHostPort(uri)).toEqual(expected);
  });

  it('rejects SRV and malformed URIs', () => {
    expect(() => mongoUriHostPort('mongodb+srv://cluster.example.net/')).toThrow(/mongodb:\/\//);
    expect(() => mongoUriHostPort('mongodb://h:notaport/')).toThrow(/Bad port/);
    expect(() => mongoUriHostPort('mongodb:///db')).toThrow(/No host/);
  });
});

describe('replaceMongoUriHostPort', () => {
  it.each([
    ['mongodb://127.0.0.1:27017/', 'mongodb://127.0.0.1:5555/'],
    ['mongodb://u:p%40w@h1:1,h2:2/app?replicaSet=rs', 'mongodb://u:p%40w@127.0.0.1:5555/app?replicaSet=rs'],
    ['mongodb://h?x=1', 'mongodb://127.0.0.1:5555?x=1'],
    ['mongodb://h', 'mongodb://127.0.0.1:5555'],
  ])('%s', (uri, expected) => {
    expect(replaceMongoUriHostPort(uri, '127.0.0.1', 5555)).toBe(expected);
  });

  it('brackets IPv6 hosts', () => {
    expect(replaceMongoUriHostPort('mongodb://h/db', '::1', 1)).toBe('mongodb://[::1]:1/db');
  });
});
