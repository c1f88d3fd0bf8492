import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppName, configVariables } from '@connector-service/testing';
// npm start's own policy (tools/ is no project; its modules are plain scripts).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { GOOGLE_VARIABLES, overridableVariables } from '../../../tools/dev/environment-overrides';

const root = join(__dirname, '../../..');

/** Whether `text` names the variable as a variable (not as part of a longer name). */
const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`, 'm').test(text);

describe('deployment files match the configuration code', () => {
  const envExample = readFileSync(join(root, '.env.example'), 'utf8');
  const compose = readFileSync(join(root, 'docker/compose.yml'), 'utf8');
  const apps: AppName[] = ['database-api', 'webhook-api'];

  it('finds the variables of both apps', () => {
    expect(configVariables('database-api')).toEqual(
      expect.arrayContaining(['MONGODB_URI', 'JWT_SECRET', 'PORT', 'LOG_LEVEL']),
    );
    expect(configVariables('webhook-api')).toEqual(
      expect.arrayContaining([
        'TOKEN_ENCRYPTION_KEY',
        'SMTP_URL',
        'SMTP_MAX_CONNECTIONS',
        'DELIVERY_ARCHIVE_RETENTION_DAYS',
      ]),
    );
  });

  it.each(apps)('documents every variable %s reads in .env.example', (app) => {
    const missing = [...configVariables(app), 'NODE_ENV'].filter((name) => !mentions(envExample, name));
    expect(missing).toEqual([]);
  });

  it.each(apps)('passes every variable %s reads in docker/compose.yml, in its own service', (app) => {
    const service = compose.split(/\n {2}(?=[a-z-]+:\n)/).find((block) => block.startsWith(`${app}:`)) ?? '';
    expect(service).not.toBe('');
    const missing = [...configVariables(app), 'NODE_ENV'].filter((name) => !mentions(service, name));
    expect(missing).toEqual([]);
  });

  it.each(apps)('lets the environment of npm start set every variable %s reads but those it wires itself', (app) => {
    const wired = [
      'MONGODB_URI',
      'PORT',
      'DATABASE_SERVER_SERVICE_TOKEN',
      'WEBHOOK_SERVER_SERVICE_TOKEN',
      ...(app === 'webhook-api' ? [...GOOGLE_VARIABLES, 'SMTP_URL'] : []),
    ];
    expect([...overridableVariables(app)].sort()).toEqual(
      configVariables(app)
        .filter((name) => !wired.includes(name))
        .sort(),
    );
  });

  it('builds each app with the Dockerfile as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/FROM .* AS runtime/);
    for (const app of apps) expect(compose).toContain(`APP: ${app}`);
  });
});
