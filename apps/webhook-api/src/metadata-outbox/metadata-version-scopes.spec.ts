import { Types } from 'mongoose';
import { randomBytes } from 'node:crypto';
import type { WebhookApiConfig } from '../config/webhook-api.config';
import { MetadataVersionScopes } from './metadata-version-scopes';

const scopesWith = (...keys: string[]) =>
  new MetadataVersionScopes({ TOKEN_ENCRYPTION_KEY: keys } as unknown as WebhookApiConfig);

describe('MetadataVersionScopes', () => {
  const key = randomBytes(32).toString('base64');
  const connection = { _id: new Types.ObjectId(), connectedAt: new Date('2026-01-05T12:00:00.000Z') };

  it('is one opaque scope per connection epoch: the same for one consent, another for the next', () => {
    const scopes = scopesWith(key);
    const scope = scopes.of(connection);
    expect(scope).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(scopes.of({ ...connection })).toBe(scope);
    expect(scopes.of({ ...connection, connectedAt: new Date('2026-01-05T12:00:00.001Z') })).not.toBe(scope);
    expect(scopes.of({ ...connection, _id: new Types.ObjectId() })).not.toBe(scope);
  });

  it('cannot be named without the key: another key gives another scope, and only the first key counts', () => {
    const other = randomBytes(32).toString('base64');
    expect(scopesWith(other).of(connection)).not.toBe(scopesWith(key).of(connection));
    expect(scopesWith(key, other).of(connection)).toBe(scopesWith(key).of(connection));
  });
});
