import { Injectable } from '@nestjs/common';
import { compileForm, type CompiledForm, type FormSchema } from '@trellis/form-engine';
import type { ErrorDetail } from '../common/errors/api-error.js';
import type { PublishedForm } from './form-catalog.service.js';
import type { FormRuntime, ValidateInput, ValidateOutcome } from './form-runtime.js';

const PERMISSION_CODES = new Set(['FIELD_HIDDEN', 'FIELD_READ_ONLY']);

/**
 * Server-side validation is always form-engine's: the same compiled form the
 * designer runs in the browser, compiled once per published version.
 */
@Injectable()
export class FormRuntimeService {
  private readonly compiled = new Map<string, CompiledForm>();

  runtime(form: PublishedForm): FormRuntime {
    const compiled = this.compile(form);
    return { validate: (input) => validateWith(compiled, input) };
  }

  compile(form: PublishedForm): CompiledForm {
    const key = `${form.id}@${form.version}`;
    let compiled = this.compiled.get(key);
    if (compiled === undefined) {
      compiled = compileForm(form.schema as unknown as FormSchema, { timeZone: 'Asia/Shanghai' });
      this.compiled.set(key, compiled);
    }
    return compiled;
  }
}

function validateWith(compiled: CompiledForm, input: ValidateInput): ValidateOutcome {
  const result = compiled.validate(input.values, {
    locale: input.locale,
    mode: input.mode,
    now: input.now,
    timeZone: input.timeZone,
    user: { id: input.user.id },
    ...(input.stage !== undefined ? { stage: input.stage } : {}),
    ...(input.previous !== undefined ? { previous: input.previous } : {}),
    ...(input.system !== undefined ? { system: input.system } : {}),
    permissions: { hidden: [...input.hidden], readOnly: [...input.readOnly] },
  });
  if (result.ok) return { ok: true, values: result.values };
  const errors: ErrorDetail[] = result.errors.map((e) => ({
    path: e.path === '' ? 'values' : `values.${e.path}`,
    code: e.code,
    message: e.message,
    messages: e.messages,
    ...(e.params !== undefined ? { params: e.params } : {}),
  }));
  return { ok: false, errors, forbidden: result.errors.some((e) => PERMISSION_CODES.has(e.code)) };
}
