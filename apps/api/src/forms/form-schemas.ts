import { Injectable } from '@nestjs/common';
import {
  convertValue,
  diffFormSchemas,
  type FieldType,
  type FormSchema,
  type FormSchemaDiff,
  type KnownField,
  validateFormSchema,
} from '@trellis/form-engine';
import type { ErrorDetail } from '../common/errors/api-error.js';
import type { SchemaField, StoredFormSchema } from './form-catalog.service.js';

/** form-engine's schema functions, as the forms module uses them. */
@Injectable()
export class FormSchemas {
  /** Every problem of a schema at once, each with its path; other forms of the app are known for relations. */
  validate(
    schema: StoredFormSchema,
    siblings: ReadonlyMap<string, readonly SchemaField[]>,
  ): ErrorDetail[] {
    return validateFormSchema(schema, {
      forms: [...siblings.entries()].map(([id, fields]) => ({
        id,
        fields: fields as unknown as KnownField[],
      })),
    });
  }

  diff(previous: StoredFormSchema, next: StoredFormSchema): FormSchemaDiff {
    return diffFormSchemas(previous as unknown as FormSchema, next as unknown as FormSchema);
  }

  /**
   * A stored value converted for a field type change. `ok: false` when it
   * cannot convert at all; `exact: false` when it converts but the original
   * cannot be rebuilt from the result (for example "35,000.50" -> 35000.50),
   * in which case the caller keeps the original too.
   */
  convert(
    value: unknown,
    fromType: string,
    toType: string,
  ): { ok: true; value: unknown; exact: boolean } | { ok: false } {
    const result = convertValue(value, fromType as FieldType, toType as FieldType, {
      timeZone: 'Asia/Shanghai',
    });
    if (!result.lossy) return { ok: true, value: result.value, exact: true };
    return result.value === null || result.value === undefined
      ? { ok: false }
      : { ok: true, value: result.value, exact: false };
  }
}
