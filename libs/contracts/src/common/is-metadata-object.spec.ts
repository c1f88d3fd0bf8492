import { metadataProblem } from './is-metadata-object';
import { METADATA_KEY_PATTERN } from './metadata-schema';

describe('metadata key rules', () => {
  it.each([
    [{}],
    [{ calendarId: 'x', isConnected: true, lastError: null }],
    [{ nested: { deeper: { ok: [1, { fine: true }] } } }],
    [{ 'with-dash': 1, with_underscore: 2, a$: 3 }],
    [{ 'inner space': 1, 'line\nbreak': 2, '\u200bzero-width': 3 }],
  ])('accepts %j', (value) => {
    expect(metadataProblem(value)).toBeNull();
  });

  it.each([
    [null, 'metadata must be an object'],
    [[1], 'metadata must be an object'],
    ['x', 'metadata must be an object'],
    [new Date(), 'metadata must be an object'],
    [{ '': 1 }, 'metadata has an empty key'],
    [{ 'a.b': 1 }, 'metadata key "a.b" must not contain "."'],
    [{ $where: 1 }, 'metadata key "$where" must not start with "$"'],
    [{ a: { $gt: '' } }, 'metadata.a key "$gt" must not start with "$"'],
    [{ a: [{ ok: 1 }, { 'b.c': 1 }] }, 'metadata.a[1] key "b.c" must not contain "."'],
    [{ a: [1, [2]] }, 'metadata.a[1] is an array inside an array, which is not supported'],
    [{ 'a\u0000b': 1 }, 'metadata key "a\\u0000b" must not contain a NUL character'],
    [{ 'a\r': 1 }, 'metadata key "a\\r" must not start or end with white space'],
    [{ ' a': 1 }, 'metadata key " a" must not start or end with white space'],
    [{ a: { 'b\u00a0': 1 } }, 'metadata.a key "b\u00a0" must not start or end with white space'],
  ])('refuses %j: %s', (value, problem) => {
    expect(metadataProblem(value)).toBe(problem);
  });

  it('refuses absurd nesting', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 40; i += 1) {
      deep['n'] = {};
      deep = deep['n'] as Record<string, unknown>;
    }
    expect(metadataProblem(root)).toMatch(/nested deeper than/);
  });

  // The OpenAPI document states the key rule as a pattern; both must agree.
  it.each([
    'a',
    'a b',
    'a$',
    'x\ny',
    '\u200b',
    'ü',
    '',
    '.',
    'a.b',
    '$a',
    ' a',
    'a ',
    'a\n',
    '\t',
    'a\u0085',
    '\u3000a',
    'a\u0000',
  ])('METADATA_KEY_PATTERN agrees with the key rules on %j', (key) => {
    expect(new RegExp(METADATA_KEY_PATTERN).test(key)).toBe(metadataProblem({ [key]: 1 }) === null);
  });
});
