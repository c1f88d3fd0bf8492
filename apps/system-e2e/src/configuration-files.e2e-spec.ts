import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/**
 * Every variable an app's typed configuration class reads: its `readonly NAME` fields and
 * those of the ServiceConfig it extends.
 */
function variablesOf(app: string): string[] {
  const dir = join(root, 'apps', app, 'src/config');
  const source = [
    ...readdirSync(dir)
      .filter((file) => file.endsWith('.config.ts'))
      .map((file) => readFileSync(join(dir, file), 'utf8')),
    readFileSync(join(root, 'libs/app-core/src/config/service-config.ts'), 'utf8'),
  ].join('\n');
  return [...source.matchAll(/^\s+readonly ([A-Z][A-Z0-9_]+)[!?]?:/gm)].map((match) => match[1]);
}

/** Whether `text` names the variable as a variable (not as part of a longer name). */
const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`, 'm').test(text);

describe('deployment files match the configuration code', () => {
  const envExample = readFileSync(join(root, '.env.example'), 'utf8');
  const compose = readFileSync(join(root, 'docker/compose.yml'), 'utf8');
  const apps = ['database-api', 'webhook-api'];

  it('finds the variables of both apps', () => {
    expect(variablesOf('database-api')).toEqual(
      expect.arrayContaining(['MONGODB_URI', 'JWT_SECRET', 'PORT', 'LOG_LEVEL']),
    );
    expect(variablesOf('webhook-api')).toEqual(expect.arrayContaining(['TOKEN_ENCRYPTION_KEY', 'SMTP_URL']));
  });

  it.each(apps)('documents every variable %s reads in .env.example', (app) => {
    const missing = [...variablesOf(app), 'NODE_ENV'].filter((name) => !mentions(envExample, name));
    expect(missing).toEqual([]);
  });

  it.each(apps)('passes every variable %s reads in docker/compose.yml, in its own service', (app) => {
    const service = compose.split(/\n {2}(?=[a-z-]+:\n)/).find((block) => block.startsWith(`${app}:`)) ?? '';
    expect(service).not.toBe('');
    const missing = [...variablesOf(app), 'NODE_ENV'].filter((name) => !mentions(service, name));
    expect(missing).toEqual([]);
  });

  it('builds each app with the Dockerfile as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/FROM .* AS runtime/);
    for (const app of apps) expect(compose).toContain(`APP: ${app}`);
  });
});
