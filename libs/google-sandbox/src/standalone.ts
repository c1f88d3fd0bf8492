import { parseArgs } from 'node:util';
import type { GoogleSandbox } from './google-sandbox';
import type { GoogleSandboxOptions } from './types';

/** The sandbox's port when run alone, and the one `npm start` gives it (tools/dev/dev-defaults.ts). */
export const STANDALONE_DEFAULT_PORT = 4010;

export const STANDALONE_USAGE = `Usage: npm run sandbox -- [options]   (or: npx tsx libs/google-sandbox/src/main.ts [options])

Runs the Google sandbox alone: OAuth consent, token, revoke, userinfo and Calendar v3 in
Google's wire format, on loopback. Ctrl-C (SIGINT) or SIGTERM stops it.

  --port <n>             GOOGLE_SANDBOX_PORT             default ${STANDALONE_DEFAULT_PORT} (0: any free port)
  --host <address>       GOOGLE_SANDBOX_HOST             default 127.0.0.1 (0.0.0.0 in a container)
  --client-id <id>       GOOGLE_SANDBOX_CLIENT_ID        default sandbox-client-id
  --client-secret <s>    GOOGLE_SANDBOX_CLIENT_SECRET    default sandbox-client-secret
  --auto-consent         GOOGLE_SANDBOX_AUTO_CONSENT=1   consent answered at once (CI); default: a page with Allow and Deny
  --quiet                GOOGLE_SANDBOX_QUIET=1          no line per request
  --help`;

export type StandaloneOptions = Required<
  Pick<GoogleSandboxOptions, 'port' | 'host' | 'clientId' | 'clientSecret' | 'autoConsent'>
> & { quiet: boolean };

/** `--help`, or the options of `GoogleSandbox.start` from the command line, then the environment, then the defaults. */
export function parseStandaloneOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StandaloneOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'auto-consent': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const portText = values.port ?? env['GOOGLE_SANDBOX_PORT'] ?? String(STANDALONE_DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`not a port: ${JSON.stringify(portText)}`);
  return {
    port,
    host: values.host ?? env['GOOGLE_SANDBOX_HOST'] ?? '127.0.0.1',
    clientId: values['client-id'] ?? env['GOOGLE_SANDBOX_CLIENT_ID'] ?? 'sandbox-client-id',
    clientSecret: values['client-secret'] ?? env['GOOGLE_SANDBOX_CLIENT_SECRET'] ?? 'sandbox-client-secret',
    autoConsent: values['auto-consent'] ?? isOn(env['GOOGLE_SANDBOX_AUTO_CONSENT']),
    quiet: values.quiet ?? isOn(env['GOOGLE_SANDBOX_QUIET']),
  };
}

/** What the standalone sandbox prints once it listens: where it is, and what an app sets to use it. */
export function standaloneBanner(sandbox: GoogleSandbox, options: StandaloneOptions): string {
  const { endpoints } = sandbox;
  const variables = Object.entries(sandbox.googleVariables()).map(([name, value]) => `${name}=${value}`);
  return [
    `Google sandbox on ${sandbox.baseUrl} (not Google: no Google account is involved)`,
    `  consent      ${endpoints.authUrl}  ${options.autoConsent ? '(auto-consent: redirects at once)' : '(a page with Allow and Deny)'}`,
    `  token        ${endpoints.tokenUrl}`,
    `  revoke       ${endpoints.revokeUrl}`,
    `  API root     ${endpoints.apiRootUrl}  (calendar/v3/..., oauth2/v2/userinfo)`,
    `  id_token     ${endpoints.pemCertsUrl} (PEM), ${endpoints.jwksUrl} (JWKS)`,
    '',
    "An app uses it with these variables (GOOGLE_REDIRECT_URI stays the app's own callback):",
    ...variables,
    '',
    'Ctrl-C stops it.',
  ].join('\n');
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}
