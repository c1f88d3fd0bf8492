import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const FORMAT = 'v1';

interface Key {
  id: string;
  secret: Buffer;
}

/**
 * Encrypts Google tokens at rest with AES-256-GCM: a random IV per value, the auth tag
 * checked on decryption, and the id of the key stored beside the ciphertext
 * (`v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url) so keys can rotate: the first key
 * encrypts, every listed key decrypts.
 */
export class TokenCipher {
  private readonly keys: Key[];

  constructor(base64Keys: readonly string[]) {
    if (base64Keys.length === 0) throw new Error('TokenCipher needs at least one key');
    this.keys = base64Keys.map((encoded) => {
      const secret = Buffer.from(encoded, 'base64');
      if (secret.length !== 32) throw new Error('Each token encryption key must be 32 bytes');
      return { id: createHash('sha256').update(secret).digest('hex').slice(0, 8), secret };
    });
  }

  get primaryKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plaintext: string): string {
    const key = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key.secret, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, key.id, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string): string {
    const [format, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || ciphertext === undefined) throw new Error('Not a sealed token');
    const key = this.keys.find((candidate) => candidate.id === keyId);
    if (!key) throw new Error(`No configured key decrypts this token (key ${keyId})`);
    const decipher = createDecipheriv(ALGORITHM, key.secret, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether a sealed value was made with a key other than the current first one. */
  isSealedWithOldKey(sealed: string): boolean {
    return sealed.split('.')[1] !== this.primaryKeyId;
  }
}
