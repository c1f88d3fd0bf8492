import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ConnectionRepository } from './connection.repository';
import { TokenCipher } from './token-cipher';

const PAGE_SIZE = 200;

/**
 * Re-encrypts every stored token under the first TOKEN_ENCRYPTION_KEY, so an old key can
 * be dropped from the list afterwards. Safe to run while the app serves: each value is
 * replaced only if it is still the one read.
 */
@Injectable()
export class TokenRotationService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly cipher: TokenCipher,
  ) {}

  async reencryptAll(): Promise<{ scanned: number; reencrypted: number }> {
    let scanned = 0;
    let reencrypted = 0;
    let after: Types.ObjectId | null = null;
    for (;;) {
      const page = await this.connections.findWithTokens(after, PAGE_SIZE);
      if (page.length === 0) return { scanned, reencrypted };
      for (const connection of page) {
        scanned += 1;
        for (const field of ['accessToken', 'refreshToken'] as const) {
          const sealed = connection[field];
          if (!sealed || !this.cipher.isSealedWithOldKey(sealed)) continue;
          const resealed = this.cipher.encrypt(this.cipher.decrypt(sealed));
          if (await this.connections.replaceSealedToken(connection._id, field, sealed, resealed)) reencrypted += 1;
        }
      }
      after = page[page.length - 1]._id;
    }
  }
}
