import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync } from 'node:crypto';
import { WebhookApiConfig } from '../config/webhook-api.config';
import type { GoogleCalendarConnection } from '../connections/google-calendar-connection.schema';

const KEY_INFO = 'connector-metadata-version-scope';

/**
 * The `versionScope` of a connection's metadata updates: database-api compares versions only
 * within one scope. It is one per connection epoch (the connection and the consent that
 * started it, `connectedAt`): every state of one consent is ordered by `stateVersion`; a
 * connector created again refuses the epochs of the removed one, and the next consent opens a
 * new one. It is an HMAC under a key derived from TOKEN_ENCRYPTION_KEY (its first key, like
 * the sealing), so no other caller of database-api can name it, and a huge version it sends
 * is counted in a scope of its own: it cannot make our updates be ignored. After a key
 * rotation the scopes change, and the next update of each connection is taken whatever its version.
 */
@Injectable()
export class MetadataVersionScopes {
  private readonly key: Buffer;

  constructor(config: WebhookApiConfig) {
    const secret = Buffer.from(config.TOKEN_ENCRYPTION_KEY[0] ?? '', 'base64');
    // A key of its own (HKDF), so this use never weakens the sealing of the tokens.
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_INFO, 32));
  }

  of(connection: Pick<GoogleCalendarConnection, '_id' | 'connectedAt'>): string {
    return createHmac('sha256', this.key)
      .update(`${connection._id.toString()}@${connection.connectedAt.toISOString()}`)
      .digest('base64url');
  }
}
