import { AddressInfo, Server, Socket, createServer as createTcpServer, connect as tcpConnect } from 'node:net';
import { BSON } from 'mongodb';

const BSON_STRING = 0x02;

/** Commands the driver sends by itself (monitoring, sessions, auth), apart from the app's own. */
export const DRIVER_COMMANDS: ReadonlySet<string> = new Set([
  'hello',
  'ismaster',
  'ping',
  'endsessions',
  'saslstart',
  'saslcontinue',
  'buildinfo',
]);

/** How many commands of one shape were answered, and the milliseconds from request to answer they took in all. */
export interface ShapeTime {
  count: number;
  ms: number;
}

/**
 * A TCP proxy in front of a MongoDB server that counts the commands passing through it by
 * name (the first key of each OP_MSG body; OP_QUERY as `legacy`): FerretDB keeps no command
 * counters of its own. Point an app's MONGODB_URI at `uri` (any number of processes may share
 * it; the counts add up). With `byShape` it also times each command, from its request to its
 * answer, by shape: the name, the collection and the filter's fields (`find calendarsyncstates
 * {_id}`), which tells a lookup FerretDB serves by `_id` from one that reads the collection.
 */
export class CommandCounter {
  readonly counts = new Map<string, number>();
  readonly shapeTimes = new Map<string, ShapeTime>();
  uri = '';
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    host: string,
    port: number,
    /** Count `find calendarsyncstates` apart from `find leases` (by the command's collection). */
    private readonly byCollection: boolean,
    private readonly byShape: boolean,
  ) {
    this.server = createTcpServer((client) => {
      const upstream = tcpConnect(port, host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      let pending: Buffer = Buffer.alloc(0);
      let answers: Buffer = Buffer.alloc(0);
      /** This connection's requests in flight (byShape): request id → shape and when it was sent. */
      const inFlight = new Map<number, { shape: string; at: bigint }>();
      client.on('data', (chunk: Buffer) => {
        pending = this.count(pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk, inFlight);
      });
      if (this.byShape) {
        upstream.on('data', (chunk: Buffer) => {
          answers = this.timeAnswers(answers.length > 0 ? Buffer.concat([answers, chunk]) : chunk, inFlight);
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  /** Proxies `mongodb://host:port/...`; undefined for URIs it cannot follow (several hosts, SRV). */
  static async start(
    targetUri: string,
    options: { byCollection?: boolean; byShape?: boolean } = {},
  ): Promise<CommandCounter | undefined> {
    const match = /^mongodb:\/\/([^/@,?]+):(\d+)\/?(\?.*)?$/.exec(targetUri);
    if (!match) return undefined;
    const [, host = '', port = '', query = ''] = match;
    const counter = new CommandCounter(host, Number(port), options.byCollection ?? false, options.byShape ?? false);
    await new Promise<void>((resolve) => counter.server.listen(0, '127.0.0.1', resolve));
    counter.uri = `mongodb://127.0.0.1:${(counter.server.address() as AddressInfo).port}/${query}`;
    return counter;
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  shapeSnapshot(): Map<string, ShapeTime> {
    return new Map([...this.shapeTimes].map(([shape, time]) => [shape, { ...time }]));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Counts the whole messages in `data` (byShape: notes each in `inFlight`); returns the incomplete rest. */
  private count(data: Buffer, inFlight: Map<number, { shape: string; at: bigint }>): Buffer {
    let offset = 0;
    while (data.length - offset >= 16) {
      const length = data.readInt32LE(offset);
      if (length < 16 || data.length - offset < length) break;
      const opCode = data.readInt32LE(offset + 12);
      let name = `opcode ${opCode}`;
      // OP_MSG: header, flagBits, then a kind-0 section whose BSON body starts with the command
      // (its element type at +25, its name from +26); a string value is the collection.
      if (opCode === 2013 && data[offset + 20] === 0) {
        const nameStart = offset + 26;
        const nameEnd = data.indexOf(0, nameStart);
        if (nameEnd > nameStart) {
          name = data.toString('utf8', nameStart, nameEnd);
          if (this.byCollection && data[offset + 25] === BSON_STRING && nameEnd + 5 <= offset + length) {
            const valueLength = data.readInt32LE(nameEnd + 1);
            if (valueLength > 1 && nameEnd + 5 + valueLength <= offset + length) {
              name += ` ${data.toString('utf8', nameEnd + 5, nameEnd + 4 + valueLength)}`;
            }
          }
        }
      } else if (opCode === 2004) {
        name = 'legacy';
      }
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      if (this.byShape) {
        inFlight.set(data.readInt32LE(offset + 4), {
          shape: opCode === 2013 ? shapeOf(name, data.subarray(offset + 21, offset + length)) : name,
          at: process.hrtime.bigint(),
        });
      }
      offset += length;
    }
    return data.subarray(offset);
  }

  /** Times the whole answers in `data` against their requests; returns the incomplete rest. */
  private timeAnswers(data: Buffer, inFlight: Map<number, { shape: string; at: bigint }>): Buffer {
    let offset = 0;
    while (data.length - offset >= 16) {
      const length = data.readInt32LE(offset);
      if (length < 16 || data.length - offset < length) break;
      const request = inFlight.get(data.readInt32LE(offset + 8));
      if (request) {
        inFlight.delete(data.readInt32LE(offset + 8));
        const time = this.shapeTimes.get(request.shape) ?? { count: 0, ms: 0 };
        time.count += 1;
        time.ms += Number(process.hrtime.bigint() - request.at) / 1e6;
        this.shapeTimes.set(request.shape, time);
      }
      offset += length;
    }
    return data.subarray(offset);
  }
}

/** `name` and the fields of the command's filter (find, delete, count, aggregate's first $match), from its OP_MSG body. */
function shapeOf(name: string, sections: Buffer): string {
  try {
    const body = BSON.deserialize(sections.subarray(0, sections.readInt32LE(0)));
    const filter = (body['filter'] ??
      body['query'] ??
      (body['pipeline'] as Record<string, unknown>[] | undefined)?.[0]?.['$match'] ??
      (body['deletes'] as { q?: unknown }[] | undefined)?.[0]?.q ??
      (body['updates'] as { q?: unknown }[] | undefined)?.[0]?.q) as Record<string, unknown> | undefined;
    const extras = [body['sort'] ? 'sort' : '', body['limit'] ? 'limit' : ''].filter(Boolean).join(' ');
    return `${name}${filter ? ` {${Object.keys(filter).join(',')}}` : ''}${extras ? ` ${extras}` : ''}`;
  } catch {
    return name;
  }
}

/** The shapes timed between two snapshots, the longest in all first. */
export function shapeTimesBetween(
  before: Map<string, ShapeTime>,
  after: Map<string, ShapeTime>,
): { shape: string; count: number; ms: number; meanMs: number }[] {
  const rows = [];
  for (const [shape, time] of after) {
    const count = time.count - (before.get(shape)?.count ?? 0);
    const ms = time.ms - (before.get(shape)?.ms ?? 0);
    if (count > 0) rows.push({ shape, count, ms: Math.round(ms), meanMs: Math.round((ms / count) * 10) / 10 });
  }
  return rows.sort((a, b) => b.ms - a.ms);
}

/** The commands counted between two snapshots: the app's own, the driver's, and by name (and collection). */
export function commandsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
): { app: number; driver: number; byName: Record<string, number> } {
  const byName: Record<string, number> = {};
  let app = 0;
  let driver = 0;
  for (const [name, value] of after) {
    const delta = value - (before.get(name) ?? 0);
    if (delta <= 0) continue;
    byName[name] = delta;
    if (DRIVER_COMMANDS.has((name.split(' ')[0] ?? '').toLowerCase())) driver += delta;
    else app += delta;
  }
  return { app, driver, byName };
}
