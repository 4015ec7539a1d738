import type { ProblemError } from '../api/api-problem.js';
import type { FormSchema } from '../forms/form-schema.js';

/**
 * Puts the schema problems of a failed save or publish next to the fields they are about:
 * `schema.fields.2.options.1.value` belongs to the third field; anything else to the form ('').
 */
export function issuesByField(
  schema: FormSchema,
  errors: readonly ProblemError[],
  message: (error: ProblemError) => string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const error of errors) {
    const path = error.path.replace(/^schema\.?/, '');
    const match = /^fields\.(\d+)(?:\.(.*))?$/.exec(path);
    const field = match === null ? undefined : schema.fields[Number(match[1])];
    const key = field?.id ?? '';
    const detail = match?.[2];
    const text =
      key === '' && path !== ''
        ? `${path}: ${message(error)}`
        : detail === undefined || detail === ''
          ? message(error)
          : `${detail}: ${message(error)}`;
    out.set(key, [...(out.get(key) ?? []), text]);
  }
  return out;
}
