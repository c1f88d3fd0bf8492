import { canonicalJson, googleEventIdFor } from './idempotency.service';

describe('googleEventIdFor', () => {
  it("follows Google's rules for client-chosen ids: base32hex (a–v, 0–9), 5–1024 characters", () => {
    const id = googleEventIdFor('68cf06a160d294db17c06871', 'order-123');
    expect(id).toMatch(/^[0-9a-v]{52}$/);
  });

  it('is the same for the same connection and key, different otherwise', () => {
    const a = googleEventIdFor('68cf06a160d294db17c06871', 'key');
    expect(googleEventIdFor('68cf06a160d294db17c06871', 'key')).toBe(a);
    expect(googleEventIdFor('68cf06a160d294db17c06872', 'key')).not.toBe(a);
    expect(googleEventIdFor('68cf06a160d294db17c06871', 'key2')).not.toBe(a);
  });

  it('encodes all 256 bits (no two keys of a large sample collide, every letter appears)', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => googleEventIdFor('c', `k${i}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.join('')).size).toBe(32);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined, so equal requests hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
