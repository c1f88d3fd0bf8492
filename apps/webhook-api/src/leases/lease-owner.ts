import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process, as a lease holder: unique across hosts, restarts and replicas. */
export const LEASE_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
