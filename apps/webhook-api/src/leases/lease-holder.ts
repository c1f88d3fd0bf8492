import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process, as shown on the leases it holds: unique across hosts, restarts and replicas. */
export const LEASE_HOLDER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
