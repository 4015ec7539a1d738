import { compileForm, type JsonSchemaValidateFunction } from '@trellis/form-engine';
import { formsApi, type FormDetail } from '../api/forms-api.js';
import type { CompiledFormLike } from './form-runtime-types.js';
import type { FormSchema } from './form-schema.js';
import { createLocalForm } from './local-form.js';

/**
 * The one place the browser gets a compiled form: form-engine's compileForm, so values are
 * checked with the same rules and messages as on the server.
 *
 * Under our Content-Security-Policy ajv cannot compile in the browser (no eval). The API serves
 * a precompiled standalone validator per published version at
 * `/api/forms/:formId/versions/:version/validator.mjs`, loaded here with a dynamic import (same
 * origin, allowed by `script-src 'self'`). Without one (drafts in the designer's preview, or an
 * API that does not serve it yet) the engine is given a validator that always declines, which
 * sends every value through the engine's own field-by-field path: same messages, no ajv.
 * A schema the engine refuses (a draft mid-edit) falls back to the local stand-in.
 */

const FIELD_BY_FIELD: JsonSchemaValidateFunction = Object.assign((_data: unknown) => false, {
  errors: [],
});

type ValidatorModule = { default: unknown; fingerprint?: unknown };

const cache = new Map<string, Promise<CompiledFormLike>>();
/** Set after a failed load, so an API that does not serve validators is not asked again. */
let validatorsUnavailable = false;

async function loadValidator(
  formId: string,
  version: number,
): Promise<{ default: JsonSchemaValidateFunction; fingerprint?: string } | null> {
  if (validatorsUnavailable) return null;
  try {
    const module = (await import(
      /* @vite-ignore */ formsApi.validatorUrl(formId, version)
    )) as ValidatorModule;
    if (typeof module.default !== 'function') return null;
    return {
      default: module.default as JsonSchemaValidateFunction,
      ...(typeof module.fingerprint === 'string' ? { fingerprint: module.fingerprint } : {}),
    };
  } catch {
    validatorsUnavailable = true;
    return null;
  }
}

function compileWith(
  schema: FormSchema,
  validator:
    JsonSchemaValidateFunction | { default: JsonSchemaValidateFunction; fingerprint?: string },
): CompiledFormLike {
  try {
    return compileForm(schema, { jsonSchemaValidator: validator });
  } catch {
    if (validator !== FIELD_BY_FIELD) {
      try {
        return compileForm(schema, { jsonSchemaValidator: FIELD_BY_FIELD });
      } catch {
        return createLocalForm(schema);
      }
    }
    return createLocalForm(schema);
  }
}

async function compilePublished(form: FormDetail, schema: FormSchema): Promise<CompiledFormLike> {
  const validator =
    form.publishedVersion === null ? null : await loadValidator(form.id, form.publishedVersion);
  return compileWith(schema, validator ?? FIELD_BY_FIELD);
}

/** The compiled published form (as this viewer sees it), cached per form version and field set. */
export function compiledFormFor(form: FormDetail): Promise<CompiledFormLike> {
  const schema = form.schema;
  if (schema === null) return Promise.reject(new Error('The form is not published yet'));
  const key = `${form.id}@${form.publishedVersion ?? 'draft'}:${schema.fields.map((f) => f.id).join(',')}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compilePublished(form, schema);
    cache.set(key, compiled);
  }
  return compiled;
}

/** A draft schema in the designer's live preview. */
export function compileDraft(schema: FormSchema): CompiledFormLike {
  return compileWith(schema, FIELD_BY_FIELD);
}
