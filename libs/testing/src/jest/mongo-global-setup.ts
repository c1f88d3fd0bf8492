import { FerretDbServer, startFerretDb } from '../lib/ferretdb';

/**
 * Where the FerretDB handle waits for the global teardown: setup and teardown run in the
 * same Jest parent process but share no module state, only globalThis.
 */
export const FERRETDB_GLOBAL_KEY = '__connectorServiceTestFerretDb';

export type FerretDbGlobal = typeof globalThis & { [FERRETDB_GLOBAL_KEY]?: FerretDbServer };

/**
 * Jest globalSetup: gives every test worker a MongoDB server through TEST_MONGODB_URI.
 * With MONGODB_URI set, the suite runs unchanged against that (real MongoDB) server;
 * otherwise a throwaway FerretDB is started. Workers are forked after this runs, so they
 * inherit the variable.
 */
export default async function mongoGlobalSetup(): Promise<void> {
  const external = process.env['MONGODB_URI'];
  if (external) {
    process.env['TEST_MONGODB_URI'] = external;
    return;
  }
  // With every project run at once (npm test), each project's global setup runs in the
  // same parent process: start one server and share it.
  if ((globalThis as FerretDbGlobal)[FERRETDB_GLOBAL_KEY]) return;
  const server = await startFerretDb();
  (globalThis as FerretDbGlobal)[FERRETDB_GLOBAL_KEY] = server;
  process.env['TEST_MONGODB_URI'] = server.uri;
}
