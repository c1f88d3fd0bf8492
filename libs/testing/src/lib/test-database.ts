import { randomBytes } from 'node:crypto';
import { databaseUri } from './ferretdb';

// MongoDB caps database names at 63 bytes; FerretDB accepts only letters, digits, '_' and '-'.
const MAX_DB_NAME = 63;
const SUFFIX_LENGTH = 9; // '_' + 8 hex

/**
 * A URI for a database of its own on the server the Jest global setup chose
 * (`TEST_MONGODB_URI`), so test files running in parallel never share data.
 * The prefix is reduced to characters every backend accepts.
 */
export function testDatabaseUri(prefix: string): string {
  const base = process.env['TEST_MONGODB_URI'];
  if (!base) {
    throw new Error(
      'TEST_MONGODB_URI is not set: add libs/testing/src/jest/mongo-global-setup.ts as the Jest ' +
        'globalSetup (and mongo-global-teardown.ts as globalTeardown) of this project',
    );
  }
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_DB_NAME - SUFFIX_LENGTH) || 'test';
  return databaseUri(base, `${safePrefix}_${randomBytes(4).toString('hex')}`);
}
