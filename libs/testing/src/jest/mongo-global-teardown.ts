import { FERRETDB_GLOBAL_KEY, FerretDbGlobal } from './mongo-global-setup';

/** Jest globalTeardown: stops the FerretDB the global setup started, if it started one. */
export default async function mongoGlobalTeardown(): Promise<void> {
  const holder = globalThis as FerretDbGlobal;
  const server = holder[FERRETDB_GLOBAL_KEY];
  if (!server) return;
  delete holder[FERRETDB_GLOBAL_KEY];
  await server.stop();
}
