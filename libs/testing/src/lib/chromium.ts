import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { workspaceRoot } from './workspace-root';

/** Debian's Chromium: the browser tests drive it with playwright-core, never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The closed network refuses Chromium's own background connections; they are kept off. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Installs Debian's chromium with apt when it is missing (`tools/browser/setup.sh`, a no-op
 * otherwise) and launches it headless. Playwright gives it a fresh temporary profile and
 * removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  const installed = execFileSync('bash', [join(workspaceRoot(), 'tools/browser/setup.sh')], {
    encoding: 'utf8',
    timeout: 240_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  if (installed !== CHROMIUM_PATH) throw new Error(`tools/browser/setup.sh printed ${installed}, not ${CHROMIUM_PATH}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
