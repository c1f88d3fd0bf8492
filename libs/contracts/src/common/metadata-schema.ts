/**
 * White space as FerretDB's update paths see it (Go's unicode.IsSpace), written as the
 * inside of a regular-expression character class that JavaScript, Python and Rust read alike.
 */
export const KEY_EDGE_WHITESPACE =
  '\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * What a metadata key must look like: not empty, no "." or NUL, no leading "$", and no
 * white space at either end. Written without look-arounds so that every regex dialect
 * reads it the same: a first character, then optionally anything ending in a non-space.
 */
export const METADATA_KEY_PATTERN =
  `^[^.$\\u0000${KEY_EDGE_WHITESPACE}](?:[^.\\u0000]*[^.\\u0000${KEY_EDGE_WHITESPACE}])?$` as const;

/**
 * The OpenAPI schemas of free-form metadata/config objects, with the key rules the
 * server enforces (see metadataProblem): keys are non-empty, contain no "." or NUL, do not
 * start with "$" nor start or end with white space, at every depth, and arrays hold no arrays. Referenced as `#/components/schemas/MetadataObject`.
 *
 * The key rule is written as `patternProperties` with `additionalProperties: false`
 * (any key matching the pattern, with a metadata value; no other key), which every JSON
 * Schema draft understands. `propertyNames` would read more naturally but is not in the
 * draft OpenAPI 3.0 schemas follow, so validators and generators of 3.0 documents
 * ignore it and take keys such as "" or "a.b" as valid.
 */
export const METADATA_OBJECT_SCHEMA_NAME = 'MetadataObject';

export const METADATA_SCHEMAS = {
  MetadataObject: {
    type: 'object',
    description:
      'A JSON object; keys must not be empty, contain "." or a NUL, start with "$", or start or end with white space (at any depth)',
    patternProperties: { [METADATA_KEY_PATTERN]: { $ref: '#/components/schemas/MetadataValue' } },
    additionalProperties: false,
  },
  MetadataValue: {
    anyOf: [
      { type: 'string', nullable: true },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: { $ref: '#/components/schemas/MetadataItem' } },
      { $ref: '#/components/schemas/MetadataObject' },
    ],
  },
  /** What an array holds: anything but another array. */
  MetadataItem: {
    anyOf: [
      { type: 'string', nullable: true },
      { type: 'number' },
      { type: 'boolean' },
      { $ref: '#/components/schemas/MetadataObject' },
    ],
  },
} as const;

export const METADATA_OBJECT_REF = `#/components/schemas/${METADATA_OBJECT_SCHEMA_NAME}`;
