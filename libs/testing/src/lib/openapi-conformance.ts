/**
 * Whether an answer conforms to the OpenAPI document an app serves: the subset of JSON
 * Schema our documents use ($ref, allOf/oneOf/anyOf, type with nullable, enum, required,
 * properties, additionalProperties: false, items, minItems, minProperties), so a test can
 * check an answer against the document as a fuzzer would, without a schema library.
 */
export type OpenApiDocument = {
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>;
  components?: { schemas?: Record<string, unknown> };
};

type Schema = Record<string, unknown>;

/** The JSON schema of an operation's answer for `status` (its `application/json` content). */
export function responseSchema(document: OpenApiDocument, path: string, method: string, status: number): Schema {
  const response = document.paths[path]?.[method]?.responses?.[String(status)] as
    | { content?: Record<string, { schema?: Schema }> }
    | undefined;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no JSON answer for ${status}`);
  return schema;
}

/** The JSON schema of an operation's request body, and whether the body is required. */
export function requestBodySchema(
  document: OpenApiDocument,
  path: string,
  method: string,
): { schema: Schema; required: boolean } {
  const body = document.paths[path]?.[method]?.requestBody as
    | { required?: boolean; content?: Record<string, { schema?: Schema }> }
    | undefined;
  const schema = body?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no JSON body`);
  return { schema, required: body?.required === true };
}

/** Where `value` departs from `schema` (empty when it conforms), each as `<json path>: <why>`. */
export function schemaViolations(document: OpenApiDocument, schema: Schema, value: unknown, at = '$'): string[] {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = document.components?.schemas?.[ref.split('/').pop() as string] as Schema | undefined;
    return target ? schemaViolations(document, target, value, at) : [`${at}: unresolved ${ref}`];
  }
  const problems: string[] = [];
  const all = schema['allOf'] as Schema[] | undefined;
  for (const part of all ?? []) problems.push(...schemaViolations(document, part, value, at));
  const one = schema['oneOf'] as Schema[] | undefined;
  if (one) {
    const matching = one.filter((part) => schemaViolations(document, part, value, at).length === 0).length;
    if (matching !== 1) problems.push(`${at}: matches ${matching} of oneOf's ${one.length} schemas`);
  }
  const any = schema['anyOf'] as Schema[] | undefined;
  if (any && !any.some((part) => schemaViolations(document, part, value, at).length === 0)) {
    problems.push(`${at}: matches none of anyOf`);
  }
  if (value === null) return schema['nullable'] === true || !schema['type'] ? problems : [...problems, `${at}: null`];
  const enumValues = schema['enum'] as unknown[] | undefined;
  if (enumValues && !enumValues.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in enum`);
  const type = schema['type'];
  if (typeof type === 'string' && !hasType(value, type)) return [...problems, `${at}: not ${type}`];
  if (Array.isArray(value)) {
    const minItems = schema['minItems'];
    if (typeof minItems === 'number' && value.length < minItems) problems.push(`${at}: fewer than ${minItems} items`);
    const items = schema['items'] as Schema | undefined;
    if (items) value.forEach((item, i) => problems.push(...schemaViolations(document, items, item, `${at}[${i}]`)));
  } else if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const name of (schema['required'] ?? []) as string[]) {
      if (!(name in object)) problems.push(`${at}: ${name} missing`);
    }
    const minProperties = schema['minProperties'];
    if (typeof minProperties === 'number' && Object.keys(object).length < minProperties) {
      problems.push(`${at}: fewer than ${minProperties} properties`);
    }
    for (const [name, field] of Object.entries(object)) {
      if (properties[name]) problems.push(...schemaViolations(document, properties[name], field, `${at}.${name}`));
      else if (schema['additionalProperties'] === false) problems.push(`${at}: ${name} not allowed`);
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
