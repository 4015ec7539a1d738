// Two JSON Schemas (2020-12) per field.
//
// The form's JSON Schema (`formJsonSchema`, compiled by ajv) is STRICT: it accepts a record whose
// values are all in canonical form (README rule 4) and whose unconditionally required fields are
// filled. A record that passes it needs nothing more than the checks JSON Schema cannot express.
//
// The LENIENT schema of each field accepts what people type (spaces around an e-mail, "" for a
// cleared select, "+86 138-1234-5678", a number for an amount …); the engine's own layer turns such
// values into canonical ones (field-values.ts) and explains what is wrong with the rest.
//
// Standalone-safe (README rule 8): no `format`, no unicode-counting lengths (ajv runs with
// `unicode: false`: lengths count UTF-16 code units), no `uniqueItems` (repeated options are found
// by the engine), no `const`/`enum` of objects — the code ajv generates has no runtime imports.
import { COMPUTED_TYPES, DEFAULT_RATING_MAX, LIMITS } from './field-types.js';
import type { FieldSchema, FormSchema } from './types.js';
import {
  ADCODE_PATTERN,
  boundedText,
  currencyScale,
  DATE_PATTERN,
  DATETIME_PATTERN,
  DECIMAL_PATTERN,
  EMAIL_PATTERN,
  FILE_URL_PATTERN,
  IMAGE_MIME_PATTERN,
  MIME_PATTERN,
  NON_BLANK_PATTERN,
  PHONE_PATTERN,
  STRICT_DATE_PATTERN,
  STRICT_DATETIME_PATTERN,
  STRICT_EMAIL_PATTERN,
  STRICT_PHONE_PATTERN,
  STRICT_URL_PATTERN,
  STRICT_UUID_PATTERN,
  strictDecimalPattern,
  TRIMMED_PATTERN,
  URL_PATTERN,
  UUID_PATTERN,
  UUID_STRICT_PATTERN,
} from './value-formats.js';

export type JsonSchema = { [key: string]: unknown };

const nullable = (type: string): JsonSchema => ({ type: [type, 'null'] });
const stringWith = (pattern: string): JsonSchema => ({ type: ['string', 'null'], pattern });
const TEXT_OR_NULL: JsonSchema = nullable('string');

function fileSchema(image: boolean): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'name', 'size', 'mime'],
    properties: {
      key: { type: 'string', pattern: boundedText(1024) },
      name: { type: 'string', pattern: boundedText(255) },
      size: { type: 'integer', minimum: 0 },
      mime: { type: 'string', pattern: image ? IMAGE_MIME_PATTERN : MIME_PATTERN },
      url: { type: 'string', pattern: FILE_URL_PATTERN },
    },
  };
}

const COORD_SYSTEMS = ['wgs84', 'gcj02', 'bd09'];

function textCap(field: FieldSchema): number {
  const cap =
    field.type === 'text'
      ? LIMITS.textLength
      : field.type === 'textarea'
        ? LIMITS.textareaLength
        : LIMITS.richTextLength;
  return Math.min(field.maxLength ?? cap, cap);
}

function numberBounds(out: JsonSchema, field: FieldSchema): JsonSchema {
  if (typeof field.min === 'number') out['minimum'] = field.min;
  if (typeof field.max === 'number') out['maximum'] = field.max;
  return out;
}

function ratingMax(field: FieldSchema): number {
  return typeof field.max === 'number' ? field.max : DEFAULT_RATING_MAX;
}

// ---------------------------------------------------------------------------------------------
// Lenient: what a person may send.

/** The lenient JSON Schema of one field's value (null always allowed: a cleared value). */
export function lenientFieldSchema(field: FieldSchema): JsonSchema {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'rich_text':
    case 'serial':
      return TEXT_OR_NULL;
    case 'number':
    case 'percent':
      return numberBounds(nullable('number'), field);
    case 'rating':
      return { type: ['integer', 'null'], minimum: 1, maximum: ratingMax(field) };
    case 'currency':
      return { type: ['string', 'number', 'null'], pattern: DECIMAL_PATTERN };
    case 'date':
      return stringWith(DATE_PATTERN);
    case 'datetime':
      return stringWith(DATETIME_PATTERN);
    // Without options (a bare type, as convertValue may get), any text is an option value.
    case 'select':
    case 'radio':
      return field.options === undefined
        ? TEXT_OR_NULL
        : { enum: [...field.options.map((o) => o.value), '', null] };
    case 'multi_select':
      return {
        type: ['array', 'null'],
        maxItems: LIMITS.listItems,
        items:
          field.options === undefined
            ? { type: 'string' }
            : { enum: field.options.map((o) => o.value) },
      };
    case 'boolean':
      return nullable('boolean');
    case 'phone':
      return stringWith(PHONE_PATTERN);
    case 'email':
      return stringWith(EMAIL_PATTERN);
    case 'url':
      return stringWith(URL_PATTERN);
    case 'user':
    case 'department':
      return stringWith(UUID_PATTERN);
    case 'relation':
      return field.relation?.multiple === true
        ? {
            type: ['array', 'null'],
            maxItems: LIMITS.listItems,
            items: { type: 'string', pattern: UUID_STRICT_PATTERN },
          }
        : stringWith(UUID_PATTERN);
    case 'sub_table':
      return {
        type: ['array', 'null'],
        maxItems: LIMITS.subTableRows,
        items: field.fields === undefined ? { type: 'object' } : lenientRow(field.fields),
      };
    case 'attachment':
    case 'image':
      return {
        type: ['array', 'null'],
        maxItems: LIMITS.files,
        items: fileSchema(field.type === 'image'),
      };
    case 'address':
      return {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          province: TEXT_OR_NULL,
          city: TEXT_OR_NULL,
          district: TEXT_OR_NULL,
          detail: TEXT_OR_NULL,
          adcode: stringWith(ADCODE_PATTERN),
        },
      };
    case 'location':
      return {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['lat', 'lng'],
        properties: {
          lat: { type: 'number', minimum: -90, maximum: 90 },
          lng: { type: 'number', minimum: -180, maximum: 180 },
          address: TEXT_OR_NULL,
          accuracy: { type: ['number', 'null'], minimum: 0 },
          coordSystem: { enum: [...COORD_SYSTEMS, null] },
          capturedAt: stringWith(DATETIME_PATTERN),
        },
      };
    case 'formula':
      switch (field.resultType ?? 'number') {
        case 'number':
          return nullable('number');
        case 'boolean':
          return nullable('boolean');
        case 'date':
          return stringWith(DATE_PATTERN);
        default:
          return TEXT_OR_NULL;
      }
    case 'rollup':
      return field.rollup?.aggregate === 'latest' ? {} : { type: ['number', 'string', 'null'] };
    case 'lookup':
      return {};
  }
}

function lenientRow(fields: readonly FieldSchema[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    id: { type: 'string', pattern: UUID_STRICT_PATTERN },
  };
  for (const field of fields) properties[field.id] = lenientFieldSchema(field);
  return { type: 'object', additionalProperties: false, properties };
}

// ---------------------------------------------------------------------------------------------
// Strict: the canonical stored form.

const TRIMMED: JsonSchema = { type: 'string', pattern: TRIMMED_PATTERN };

/** `type`, nullable unless the field must be filled. */
const typed = (type: string, required: boolean): JsonSchema => ({
  type: required ? type : [type, 'null'],
});

/** Item-count bounds: an empty list is allowed unless required; otherwise between min and max. */
function countBounds(
  out: JsonSchema,
  field: FieldSchema,
  cap: number,
  required: boolean,
): JsonSchema {
  const min = typeof field.min === 'number' ? field.min : 0;
  const max = typeof field.max === 'number' ? Math.min(field.max, cap) : cap;
  out['maxItems'] = max;
  if (required) out['minItems'] = Math.max(1, min);
  else if (min > 1) out['anyOf'] = [{ maxItems: 0 }, { minItems: min }];
  return out;
}

/**
 * The strict JSON Schema of one field's value. `required`: the field must be filled whatever the
 * record holds (no visibility or read-only condition), so null and empty lists are refused.
 */
function strictFieldSchema(field: FieldSchema, required: boolean): JsonSchema {
  switch (field.type) {
    case 'text':
    case 'textarea': {
      const out: JsonSchema = {
        ...typed('string', required),
        maxLength: textCap(field),
        pattern: NON_BLANK_PATTERN,
      };
      if ((field.minLength ?? 0) > 1) out['minLength'] = field.minLength;
      return out;
    }
    case 'rich_text':
      return {
        ...typed('string', required),
        maxLength: LIMITS.richTextLength * 2,
        pattern: NON_BLANK_PATTERN,
      };
    case 'serial':
      return nullable('string');
    case 'number':
    case 'percent':
      return numberBounds(typed('number', required), field);
    case 'rating':
      return { ...typed('integer', required), minimum: 1, maximum: ratingMax(field) };
    case 'currency':
      return {
        ...typed('string', required),
        pattern: strictDecimalPattern(currencyScale(field.currency)),
      };
    case 'date':
      return { ...typed('string', required), pattern: STRICT_DATE_PATTERN };
    case 'datetime':
      return { ...typed('string', required), pattern: STRICT_DATETIME_PATTERN };
    case 'select':
    case 'radio': {
      const values: unknown[] = (field.options ?? []).map((o) => o.value);
      return { enum: required ? values : [...values, null] };
    }
    case 'multi_select':
      return countBounds(
        {
          ...typed('array', required),
          items: { enum: (field.options ?? []).map((o) => o.value) },
        },
        field,
        LIMITS.listItems,
        required,
      );
    case 'boolean':
      return typed('boolean', required);
    case 'phone':
      return { ...typed('string', required), pattern: STRICT_PHONE_PATTERN };
    case 'email':
      return { ...typed('string', required), maxLength: 254, pattern: STRICT_EMAIL_PATTERN };
    case 'url':
      return { ...typed('string', required), maxLength: 2048, pattern: STRICT_URL_PATTERN };
    case 'user':
    case 'department':
      return { ...typed('string', required), pattern: STRICT_UUID_PATTERN };
    case 'relation':
      return field.relation?.multiple === true
        ? countBounds(
            {
              ...typed('array', required),
              items: { type: 'string', pattern: STRICT_UUID_PATTERN },
            },
            field,
            LIMITS.listItems,
            required,
          )
        : { ...typed('string', required), pattern: STRICT_UUID_PATTERN };
    case 'sub_table':
      return countBounds(
        { ...typed('array', required), items: strictRow(field.fields ?? []) },
        field,
        LIMITS.subTableRows,
        required,
      );
    case 'attachment':
    case 'image':
      return countBounds(
        { ...typed('array', required), items: fileSchema(field.type === 'image') },
        field,
        LIMITS.files,
        required,
      );
    case 'address':
      // Parts are kept as typed; whether an address is empty is decided by the engine (rule 4).
      return {
        ...typed('object', required),
        additionalProperties: false,
        properties: {
          province: TEXT_OR_NULL,
          city: TEXT_OR_NULL,
          district: TEXT_OR_NULL,
          detail: TEXT_OR_NULL,
          adcode: stringWith(ADCODE_PATTERN),
        },
      };
    case 'location':
      return {
        ...typed('object', required),
        additionalProperties: false,
        required: ['lat', 'lng'],
        properties: {
          lat: { type: 'number', minimum: -90, maximum: 90 },
          lng: { type: 'number', minimum: -180, maximum: 180 },
          address: TRIMMED,
          accuracy: { type: 'number', minimum: 0 },
          coordSystem: { enum: COORD_SYSTEMS },
          capturedAt: { type: 'string', pattern: STRICT_DATETIME_PATTERN },
        },
      };
    case 'formula':
      switch (field.resultType ?? 'number') {
        case 'number':
          return nullable('number');
        case 'boolean':
          return nullable('boolean');
        case 'date':
          return { type: ['string', 'null'], pattern: STRICT_DATE_PATTERN };
        default:
          return { type: ['string', 'null'], pattern: NON_BLANK_PATTERN };
      }
    case 'rollup':
      return field.rollup?.aggregate === 'latest' ? {} : { type: ['number', 'string', 'null'] };
    case 'lookup':
      return {};
  }
}

/**
 * Filled in every canonical record: `required: true` with no visible or read-only condition (an
 * address's emptiness is checked by the engine, not by the schema).
 */
export function isAlwaysRequired(field: FieldSchema): boolean {
  return (
    field.required === true &&
    field.visible === undefined &&
    field.readOnly === undefined &&
    field.type !== 'address' &&
    !COMPUTED_TYPES.has(field.type)
  );
}

function strictProperties(fields: readonly FieldSchema[]): {
  properties: Record<string, JsonSchema>;
  required: string[];
} {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of fields) {
    const always = isAlwaysRequired(field);
    properties[field.id] = strictFieldSchema(field, always);
    if (always) required.push(field.id);
  }
  return { properties, required };
}

function strictRow(fields: readonly FieldSchema[]): JsonSchema {
  const { properties, required } = strictProperties(fields);
  const out: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string', pattern: STRICT_UUID_PATTERN }, ...properties },
  };
  if (required.length > 0) out['required'] = required;
  return out;
}

/** The form's (strict) JSON Schema; the schema must be valid (see validateFormSchema). */
export function buildFormJsonSchema(schema: FormSchema): JsonSchema {
  const { properties, required } = strictProperties(schema.fields);
  const out: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties,
  };
  if (required.length > 0) out['required'] = required;
  return out;
}
