import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { OAuthStateRepository } from '../connect/oauth-state.repository';
import { ConnectionRepository } from '../connections/connection.repository';
import { TokenCipher } from '../connections/token-cipher';

const PAGE_SIZE = 200;

/** What one run re-sealed, by collection. */
export interface KeyRotationResult {
  /** Connections holding a token, and the tokens among them re-sealed. */
  connections: { scanned: number; resealed: number };
  /** Consent links still pending, and the PKCE verifiers among them re-sealed. */
  consentLinks: { scanned: number; resealed: number };
}

/**
 * Re-seals everything sealed with an older TOKEN_ENCRYPTION_KEY under the first one: the
 * connections' Google tokens and the PKCE verifiers of consent links not used yet (a link
 * e-mailed before the rotation still works after it), so the old key can be dropped from
 * the list afterwards. Safe to run while the app serves: each value is replaced only if it is
 * still the one read (a refresh, or the link's callback, may have won).
 */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly states: OAuthStateRepository,
    private readonly cipher: TokenCipher,
  ) {}

  async resealAll(): Promise<KeyRotationResult> {
    return { connections: await this.resealConnections(), consentLinks: await this.resealConsentLinks() };
  }

  private async resealConnections(): Promise<KeyRotationResult['connections']> {
    let scanned = 0;
    let resealed = 0;
    let after: Types.ObjectId | null = null;
    for (;;) {
      const page = await this.connections.findWithTokens(after, PAGE_SIZE);
      if (page.length === 0) return { scanned, resealed };
      for (const connection of page) {
        scanned += 1;
        for (const field of ['accessToken', 'refreshToken'] as const) {
          const sealed = connection[field];
          if (!sealed || !this.cipher.isSealedWithOldKey(sealed)) continue;
          if (await this.connections.replaceSealedToken(connection._id, field, sealed, this.reseal(sealed))) {
            resealed += 1;
          }
        }
      }
      after = page[page.length - 1]._id;
    }
  }

  private async resealConsentLinks(): Promise<KeyRotationResult['consentLinks']> {
    let scanned = 0;
    let resealed = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.states.findPage(after, PAGE_SIZE);
      if (page.length === 0) return { scanned, resealed };
      for (const state of page) {
        scanned += 1;
        if (!this.cipher.isSealedWithOldKey(state.codeVerifier)) continue;
        if (await this.states.replaceSealedVerifier(state._id, state.codeVerifier, this.reseal(state.codeVerifier))) {
          resealed += 1;
        }
      }
      after = page[page.length - 1]._id;
    }
  }

  private reseal(sealed: string): string {
    return this.cipher.encrypt(this.cipher.decrypt(sealed));
  }
}
