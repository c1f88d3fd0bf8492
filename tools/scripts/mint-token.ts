/**
 * npm run token -- --subaccount <24-hex id> [--subaccount <id> ...] [--admin] [--sub <user id>] [--expires 1h]
 *
 * Prints a user JWT signed with JWT_SECRET (from the environment, else .env, else the
 * local stack's default), for trying the API by hand. The platform's auth server issues
 * the real ones.
 */
import { parse } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mintUserJwt } from '@connector-service/testing';
import { DEV_JWT_SECRET, WORKSPACE_ROOT } from '../dev/dev-defaults';

function secret(): string {
  const fromEnv = process.env['JWT_SECRET'];
  if (fromEnv) return fromEnv;
  const envFile = join(WORKSPACE_ROOT, '.env');
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile))['JWT_SECRET'] : undefined;
  if (fromFile) return fromFile;
  process.stderr.write('JWT_SECRET not set: signing with the local stack (npm start) secret.\n');
  return DEV_JWT_SECRET;
}

const USAGE =
  'usage: npm run token -- --subaccount <24-hex id> [--subaccount <id> ...] [--admin] [--sub <user id>] [--expires 1h]';

function usage(problem: string): never {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        subaccount: { type: 'string', multiple: true, default: [] },
        admin: { type: 'boolean', default: false },
        sub: { type: 'string', default: 'local-user' },
        expires: { type: 'string', default: '1h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const subaccountIds = values.subaccount ?? [];
  if (subaccountIds.length === 0 && !values.admin) usage('Give at least one --subaccount (or --admin).');
  const bad = subaccountIds.filter((id) => !/^[0-9a-fA-F]{24}$/.test(id));
  if (bad.length > 0) usage(`Not a 24-hex subaccount id: ${bad.join(', ')}`);
  const sub = values.sub ?? '';
  if (sub.trim() === '') usage('--sub must not be empty.');
  const expires = values.expires ?? '';
  // Seconds, or a span such as 15m, 1h, 7d (what jsonwebtoken accepts).
  if (!/^\d+$|^\d+(\.\d+)?\s*(ms|s|m|h|d|w|y)$/i.test(expires))
    usage(`Not a lifetime: --expires ${expires} (e.g. 3600, 15m, 1h, 7d)`);
  const token = mintUserJwt(
    secret(),
    { sub, subaccountIds, ...(values.admin ? { role: 'admin' } : {}) },
    { expiresIn: /^\d+$/.test(expires) ? Number(expires) : expires },
  );
  process.stdout.write(`${token}\n`);
}

main();
