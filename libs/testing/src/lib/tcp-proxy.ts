import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A loopback TCP proxy in front of a server, so tests can make it unreachable on demand
 * (whatever the server is: FerretDB, real MongoDB, anything speaking TCP).
 */
export interface TcpProxy {
  readonly port: number;
  readonly host: string;
  /**
   * Destroys every live connection and stops listening, so new connects get ECONNREFUSED,
   * the way a dead server looks to a client.
   */
  cut(): void;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

const PROXY_HOST = '127.0.0.1';

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let closed = false;

  const onClient = (client: Socket): void => {
    const upstream = connect({ host: target.host, port: target.port });
    // Either side ending or failing ends both: a half-open pair would hide an outage.
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        peer.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = async (port: number): Promise<Server> => {
    const next = createServer(onClient);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen({ host: PROXY_HOST, port }, () => {
        next.off('error', reject);
        resolve();
      });
    });
    return next;
  };

  const cut = (): void => {
    // close() stops accepting at once; its callback only waits for the sockets we destroy next.
    server?.close();
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  server = await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`startTcpProxy: unexpected listener address ${String(address)}`);
  }
  const port = address.port;

  return {
    port,
    host: PROXY_HOST,
    cut,
    restore: async () => {
      if (closed) throw new Error('TcpProxy is closed');
      if (server) return;
      server = await listen(port);
    },
    close: async () => {
      closed = true;
      const current = server;
      cut();
      if (current) await new Promise<void>((resolve) => current.once('close', () => resolve()));
    },
  };
}

/** The first host of a `mongodb://` URI, port 27017 when none is given. */
export function mongoUriHostPort(uri: string): { host: string; port: number } {
  const { hosts } = splitMongoUri(uri);
  const first = hosts.split(',')[0];
  // Bracketed IPv6 literal, e.g. [::1]:27017.
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  if (ipv6) return { host: ipv6[1], port: ipv6[2] ? Number(ipv6[2]) : 27017 };
  const colon = first.lastIndexOf(':');
  if (colon < 0) return { host: first, port: 27017 };
  const port = Number(first.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Bad port in MongoDB URI: ${uri}`);
  return { host: first.slice(0, colon), port };
}

/**
 * The URI with its host list replaced by the single `host:port`, credentials, database and
 * options kept. For a replica set, add `directConnection=true`, or the driver will discover
 * the members and go around the proxy.
 */
export function replaceMongoUriHostPort(uri: string, host: string, port: number): string {
  const { prefix, tail } = splitMongoUri(uri);
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${prefix}${hostPart}:${port}${tail}`;
}

/** `mongodb://user:pw@` + `h1:1,h2:2` + `/db?opts`. */
function splitMongoUri(uri: string): { prefix: string; hosts: string; tail: string } {
  const scheme = 'mongodb://';
  if (!uri.startsWith(scheme)) {
    // mongodb+srv:// names a DNS record, not a host a proxy could stand in for.
    throw new Error(`Expected a mongodb:// URI, got: ${uri}`);
  }
  const rest = uri.slice(scheme.length);
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  // Credentials must percent-encode '@', so the last one ends them.
  const at = authority.lastIndexOf('@');
  const hosts = authority.slice(at + 1);
  if (!hosts) throw new Error(`No host in MongoDB URI: ${uri}`);
  return { prefix: scheme + authority.slice(0, at + 1), hosts, tail };
}
