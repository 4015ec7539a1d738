// A small interpreter for the JSON Schema subset that json-schema.ts generates, with ajv's semantics
// and error shape. The hot path of `validate` uses ajv (or its standalone code); this one checks
// single values where compiling would cost more than it saves: literal defaults in
// validateFormSchema, and values converted by convertValue. A property test keeps both in step.
import type { JsonSchema } from './json-schema.js';
import type { JsonSchemaError } from './types.js';

const patterns = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) {
    re = new RegExp(source);
    if (patterns.size > 500) patterns.clear();
    patterns.set(source, re);
  }
  return re;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value) && value % 1 === 0;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

const escapeSegment = (key: string): string =>
  key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;

/** Checks `value` against `schema`; returns every error, like ajv with `allErrors`. */
export function checkJsonSchema(schema: JsonSchema, value: unknown): JsonSchemaError[] {
  const errors: JsonSchemaError[] = [];
  visit(schema, value, [], '#', errors);
  return errors;
}

function push(
  errors: JsonSchemaError[],
  at: readonly string[],
  schemaAt: string,
  keyword: string,
  params: Record<string, unknown>,
): void {
  const instancePath = at.length === 0 ? '' : `/${at.map(escapeSegment).join('/')}`;
  errors.push({ instancePath, schemaPath: `${schemaAt}/${keyword}`, keyword, params });
}

/** `at` is the path to `value` (a stack shared by the whole walk); paths are built only for errors. */
function visit(
  schema: JsonSchema,
  value: unknown,
  at: string[],
  schemaAt: string,
  errors: JsonSchemaError[],
): void {
  const type = schema['type'];
  if (type !== undefined) {
    const ok = Array.isArray(type)
      ? (type as string[]).some((t) => hasType(value, t))
      : hasType(value, type as string);
    if (!ok) push(errors, at, schemaAt, 'type', { type });
  }
  const enumValues = schema['enum'];
  if (enumValues !== undefined && !(enumValues as unknown[]).includes(value))
    push(errors, at, schemaAt, 'enum', { allowedValues: enumValues });
  if (typeof value === 'string') {
    const pattern = schema['pattern'];
    if (pattern !== undefined && !regex(pattern as string).test(value))
      push(errors, at, schemaAt, 'pattern', { pattern });
    const maxLength = schema['maxLength'];
    if (maxLength !== undefined && value.length > (maxLength as number))
      push(errors, at, schemaAt, 'maxLength', { limit: maxLength });
    const minLength = schema['minLength'];
    if (minLength !== undefined && value.length < (minLength as number))
      push(errors, at, schemaAt, 'minLength', { limit: minLength });
  } else if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      const minimum = schema['minimum'];
      const maximum = schema['maximum'];
      if (minimum !== undefined && value < (minimum as number))
        push(errors, at, schemaAt, 'minimum', { comparison: '>=', limit: minimum });
      if (maximum !== undefined && value > (maximum as number))
        push(errors, at, schemaAt, 'maximum', { comparison: '<=', limit: maximum });
    }
  } else if (Array.isArray(value)) {
    const maxItems = schema['maxItems'];
    if (maxItems !== undefined && value.length > (maxItems as number))
      push(errors, at, schemaAt, 'maxItems', { limit: maxItems });
    const minItems = schema['minItems'];
    if (minItems !== undefined && value.length < (minItems as number))
      push(errors, at, schemaAt, 'minItems', { limit: minItems });
    const items = schema['items'] as JsonSchema | undefined;
    if (items !== undefined) {
      const itemsAt = `${schemaAt}/items`;
      for (let i = 0; i < value.length; i++) {
        at.push(String(i));
        visit(items, value[i], at, itemsAt, errors);
        at.pop();
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
    const required = schema['required'] as string[] | undefined;
    if (required !== undefined) {
      for (const key of required)
        if (record[key] === undefined)
          push(errors, at, schemaAt, 'required', { missingProperty: key });
    }
    if (schema['additionalProperties'] === false) {
      for (const key of Object.keys(record)) {
        if (properties === undefined || !Object.hasOwn(properties, key))
          push(errors, at, schemaAt, 'additionalProperties', { additionalProperty: key });
      }
    }
    if (properties !== undefined) {
      for (const key in properties) {
        const v = record[key];
        if (v === undefined) continue;
        at.push(key);
        visit(
          properties[key] as JsonSchema,
          v,
          at,
          `${schemaAt}/properties/${escapeSegment(key)}`,
          errors,
        );
        at.pop();
      }
    }
  }
}
