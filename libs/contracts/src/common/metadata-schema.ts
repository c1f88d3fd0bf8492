/**
 * The OpenAPI schemas of free-form metadata/config objects, with the key rules the
 * server enforces (see metadataProblem): keys are non-empty, contain no "." and do not
 * start with "$", at every depth, and arrays hold no arrays. Referenced as `#/components/schemas/MetadataObject`.
 */
export const METADATA_OBJECT_SCHEMA_NAME = 'MetadataObject';

export const METADATA_SCHEMAS = {
  MetadataObject: {
    type: 'object',
    description: 'A JSON object; keys must not be empty, contain "." or a NUL, or start with "$" (at any depth)',
    propertyNames: { pattern: '^[^.$\\u0000][^.\\u0000]*$' },
    additionalProperties: { $ref: '#/components/schemas/MetadataValue' },
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
