import { AddressInfo, Server, Socket, createServer as createTcpServer, connect as tcpConnect } from 'node:net';

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

/**
 * A TCP proxy in front of a MongoDB server that counts the commands passing through it by
 * name (the first key of each OP_MSG body; OP_QUERY as `legacy`): FerretDB keeps no command
 * counters of its own. Point an app's MONGODB_URI at `uri` (any number of processes may share
 * it; the counts add up).
 */
export class CommandCounter {
  readonly counts = new Map<string, number>();
  uri = '';
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    host: string,
    port: number,
    /** Count `find calendarsyncstates` apart from `find leases` (by the command's collection). */
    private readonly byCollection: boolean,
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
      client.on('data', (chunk: Buffer) => {
        pending = this.count(pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk);
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  /** Proxies `mongodb://host:port/...`; undefined for URIs it cannot follow (several hosts, SRV). */
  static async start(targetUri: string, options: { byCollection?: boolean } = {}): Promise<CommandCounter | undefined> {
    const match = /^mongodb:\/\/([^/@,?]+):(\d+)\/?(\?.*)?$/.exec(targetUri);
    if (!match) return undefined;
    const [, host = '', port = '', query = ''] = match;
    const counter = new CommandCounter(host, Number(port), options.byCollection ?? false);
    await new Promise<void>((resolve) => counter.server.listen(0, '127.0.0.1', resolve));
    counter.uri = `mongodb://127.0.0.1:${(counter.server.address() as AddressInfo).port}/${query}`;
    return counter;
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Counts the whole messages in `data`; returns the incomplete rest. */
  private count(data: Buffer): Buffer {
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
      offset += length;
    }
    return data.subarray(offset);
  }
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
