import { randomBytes } from 'node:crypto';
import { TokenCipher } from './token-cipher';

const newKey = () => randomBytes(32).toString('base64');

describe('TokenCipher', () => {
  const keyA = newKey();
  const keyB = newKey();

  it('round-trips and never stores the plaintext', () => {
    const cipher = new TokenCipher([keyA]);
    const sealed = cipher.encrypt('ya29.secret-access-token');
    expect(sealed).not.toContain('secret-access-token');
    expect(sealed.split('.')).toHaveLength(5);
    expect(cipher.decrypt(sealed)).toBe('ya29.secret-access-token');
  });

  it('uses a fresh IV each time', () => {
    const cipher = new TokenCipher([keyA]);
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('refuses a tampered ciphertext (GCM tag)', () => {
    const cipher = new TokenCipher([keyA]);
    const parts = cipher.encrypt('token').split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  it('rotates: the first key encrypts, every key decrypts', () => {
    const old = new TokenCipher([keyA]).encrypt('refresh');
    const rotated = new TokenCipher([keyB, keyA]);
    expect(rotated.decrypt(old)).toBe('refresh');
    expect(rotated.isSealedWithOldKey(old)).toBe(true);
    const fresh = rotated.encrypt('refresh');
    expect(rotated.isSealedWithOldKey(fresh)).toBe(false);
    expect(() => new TokenCipher([keyA]).decrypt(fresh)).toThrow(/No configured key/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new TokenCipher([randomBytes(16).toString('base64')])).toThrow(/32 bytes/);
    expect(() => new TokenCipher([])).toThrow();
  });
});
