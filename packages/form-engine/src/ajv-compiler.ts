// ajv (JSON Schema 2020-12): compiled validators cached by their JSON Schema text, and standalone
// ESM modules for browsers whose Content-Security-Policy forbids 'unsafe-eval'.
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { JsonSchema } from './json-schema.js';
import type { JsonSchemaValidateFunction } from './types.js';

type AjvInstance = InstanceType<typeof Ajv2020.default>;

/**
 * ajv keeps every compiled schema's patterns and constants in its instance scope, so one long-lived
 * instance would grow with every form version ever compiled: an instance serves a few compiles and
 * is then replaced (creating one costs about as much as a small compile). The meta-schema check is
 * skipped: this engine generates the schema itself.
 */
function newAjv(): AjvInstance {
  return new Ajv2020.default({
    allErrors: true,
    messages: false,
    // Lengths count UTF-16 code units (as HTML's maxlength does) and need no ucs2length import;
    // the engine's patterns are ASCII classes, so the 'u' flag changes nothing but speed.
    unicode: false,
    unicodeRegExp: false,
    logger: false,
    // The engine generates the schema; strict mode's checks (run by a test instead) cost compile time.
    strict: false,
    meta: false,
    validateSchema: false,
    code: { source: true, esm: true, optimize: false },
  });
}

const COMPILES_PER_INSTANCE = 16;
let current: { ajv: AjvInstance; compiles: number } | undefined;

function instance(): AjvInstance {
  if (current === undefined || current.compiles >= COMPILES_PER_INSTANCE)
    current = { ajv: newAjv(), compiles: 0 };
  current.compiles++;
  return current.ajv;
}

type Entry = { ajv: AjvInstance; validate: JsonSchemaValidateFunction };

const CACHE_SIZE = 256;
const cache = new Map<string, Entry>();

function compileEntry(text: string, schema: JsonSchema, useCache: boolean): Entry {
  const hit = useCache ? cache.get(text) : undefined;
  if (hit !== undefined) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const ajv = instance();
  const validate = ajv.compile(schema) as unknown as JsonSchemaValidateFunction;
  // The function keeps working; the instance forgets the schema (no growth of its cache).
  ajv.removeSchema(schema);
  const entry = { ajv, validate };
  if (useCache) {
    cache.set(text, entry);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return entry;
}

/** The ajv validator of a JSON Schema, compiled once per distinct schema text. */
export function ajvValidator(
  text: string,
  schema: JsonSchema,
  useCache = true,
): JsonSchemaValidateFunction {
  return compileEntry(text, schema, useCache).validate;
}

/**
 * ESM source of the standalone validator: `export default` (and `validate`) is the validate
 * function; `fingerprint` identifies the JSON Schema it was generated from.
 */
export function standaloneModule(text: string, schema: JsonSchema, fingerprint: string): string {
  const { ajv, validate } = compileEntry(text, schema, true);
  const code = standaloneCode.default(
    ajv,
    validate as unknown as Parameters<typeof standaloneCode.default>[1],
  );
  return `${code}\nexport const fingerprint = ${JSON.stringify(fingerprint)};\n`;
}

/** Two 32-bit multiplicative hashes of a text, as 16 hex digits (identifies a JSON Schema; not a secret). */
export function fingerprintOf(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
