import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let cachedRoot: string | undefined;

/** The nearest directory holding nx.json, above this file (source or bundled) or the cwd. */
export function workspaceRoot(): string {
  cachedRoot ??= findUp(__dirname) ?? findUp(process.cwd());
  if (cachedRoot === undefined) {
    throw new Error(`Cannot find the workspace root (nx.json) above ${__dirname} or ${process.cwd()}`);
  }
  return cachedRoot;
}

function findUp(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
