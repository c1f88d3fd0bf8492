import { accountIdFor, newAccessToken, newAuthorizationCode, newRefreshToken } from './ids';
import { SandboxAccount, SandboxEvent } from './types';

export const DEFAULT_ACCOUNT_EMAIL = 'sandbox.user@example.com';
const CODE_TTL_MS = 10 * 60 * 1000;
const PICTURE = 'https://lh3.googleusercontent.com/a/default-user=s96-c';

export interface AccountRecord {
  email: string;
  id: string;
  name?: string;
  picture: string;
  timeZone: string;
  /** Primary calendar, by event id (cancelled events stay, for 410 answers). */
  events: Map<string, SandboxEvent>;
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  scopes: string[];
  email: string;
  expiresAt: number;
  used: boolean;
  offline: boolean;
  forceConsent: boolean;
  nonce?: string;
}

export interface GrantRecord {
  clientId: string;
  email: string;
  scopes: string[];
  refreshToken?: string;
  revoked: boolean;
  accessTokens: string[];
}

export interface AccessTokenRecord {
  token: string;
  grant: GrantRecord;
  /** Scopes of this token (the code's consent; a refresh gets the grant's). */
  scopes: string[];
  expiresAt: number;
  /** Dropped by Google before its expiry (invalidateAccessTokens): answers 401, its grant lives on. */
  invalidated?: true;
}

export type NewCode = Omit<AuthCodeRecord, 'code' | 'expiresAt' | 'used'>;

/** Everything the fake Google remembers: accounts, codes, grants and tokens. */
export class SandboxStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly grants: GrantRecord[] = [];
  private readonly codes = new Map<string, AuthCodeRecord>();
  private readonly refreshTokens = new Map<string, GrantRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly issued: string[] = [];
  readonly revoked: string[] = [];

  constructor(accounts: SandboxAccount[]) {
    for (const account of accounts) this.ensureAccount(account.email, account);
  }

  findAccount(email: string): AccountRecord | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  ensureAccount(email: string, details: Partial<SandboxAccount> = {}): AccountRecord {
    const existing = this.findAccount(email);
    if (existing) return existing;
    const record: AccountRecord = {
      email,
      id: details.id ?? accountIdFor(email),
      ...(details.name === undefined ? {} : { name: details.name }),
      picture: PICTURE,
      timeZone: details.timeZone ?? 'UTC',
      events: new Map(),
    };
    this.accounts.set(email.toLowerCase(), record);
    return record;
  }

  issueCode(details: NewCode): AuthCodeRecord {
    const record: AuthCodeRecord = {
      ...details,
      code: newAuthorizationCode(),
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    };
    this.codes.set(record.code, record);
    return record;
  }

  /** A code that can still be exchanged by this client, else undefined. */
  usableCode(code: string, clientId: string): AuthCodeRecord | undefined {
    const record = this.codes.get(code);
    if (!record || record.used || record.expiresAt <= Date.now() || record.clientId !== clientId) return undefined;
    return record;
  }

  /** Scopes the user already granted this client (for include_granted_scopes=true). */
  previouslyGranted(clientId: string, email: string): string[] {
    return this.liveGrants(clientId, email).flatMap((g) => g.scopes);
  }

  /**
   * The grant a code exchange lands in. Like Google, a refresh token comes only with
   * access_type=offline, and only on the first consent of the account unless prompt=consent:
   * otherwise the access token joins the account's existing offline grant.
   */
  grantFor(code: AuthCodeRecord): { grant: GrantRecord; fresh: boolean } {
    const existing = this.liveGrants(code.clientId, code.email).find((g) => g.refreshToken !== undefined);
    if (code.offline && existing && !code.forceConsent) {
      existing.scopes = [...new Set([...existing.scopes, ...code.scopes])];
      return { grant: existing, fresh: false };
    }
    const grant: GrantRecord = {
      clientId: code.clientId,
      email: code.email,
      scopes: code.scopes,
      revoked: false,
      accessTokens: [],
    };
    if (code.offline) {
      grant.refreshToken = newRefreshToken();
      this.refreshTokens.set(grant.refreshToken, grant);
      this.issued.push(grant.refreshToken);
    }
    this.grants.push(grant);
    return { grant, fresh: true };
  }

  issueAccessToken(grant: GrantRecord, ttlSeconds: number, scopes = grant.scopes): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: newAccessToken(),
      grant,
      scopes,
      expiresAt: Date.now() + ttlSeconds * 1000,
    };
    this.accessTokens.set(record.token, record);
    grant.accessTokens.push(record.token);
    this.issued.push(record.token);
    return record;
  }

  grantOfRefreshToken(token: string): GrantRecord | undefined {
    return this.refreshTokens.get(token);
  }

  accessTokenRecord(token: string): AccessTokenRecord | undefined {
    return this.accessTokens.get(token);
  }

  /** The access token's record if it is live: issued, unexpired, its grant not revoked. */
  validAccessToken(token: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.invalidated || record.grant.revoked || record.expiresAt <= Date.now()) return undefined;
    return record;
  }

  revokeGrant(grant: GrantRecord): void {
    if (grant.revoked) return;
    grant.revoked = true;
    if (grant.refreshToken !== undefined) this.revoked.push(grant.refreshToken);
    this.revoked.push(...grant.accessTokens);
  }

  expireAccessTokens(): void {
    const past = Date.now() - 1;
    for (const record of this.accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, past);
  }

  /** Ends every access token issued so far to the account's grants; returns how many there were. */
  invalidateAccessTokens(email: string): number {
    const key = email.toLowerCase();
    let count = 0;
    for (const grant of this.grants) {
      if (grant.email.toLowerCase() !== key) continue;
      for (const token of grant.accessTokens) {
        const record = this.accessTokens.get(token);
        if (record) {
          record.invalidated = true;
          count += 1;
        }
      }
    }
    return count;
  }

  private liveGrants(clientId: string, email: string): GrantRecord[] {
    const key = email.toLowerCase();
    return this.grants.filter((g) => !g.revoked && g.clientId === clientId && g.email.toLowerCase() === key);
  }
}
