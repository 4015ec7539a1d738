import { useEffect, useState } from 'react';
import type { FormDetail } from '../api/forms-api.js';
import { compiledFormFor } from '../forms/compiled-form.js';
import type { CompiledFormLike } from '../forms/form-runtime-types.js';

/** The compiled published form of a loaded form (null while compiling). */
export function useCompiledForm(form: FormDetail | undefined): {
  compiled: CompiledFormLike | null;
  error: unknown;
} {
  const [compiled, setCompiled] = useState<CompiledFormLike | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (form === undefined || form.schema === null) return undefined;
    let live = true;
    setCompiled(null);
    compiledFormFor(form).then(
      (result) => live && setCompiled(result),
      (reason: unknown) => live && setError(reason),
    );
    return () => {
      live = false;
    };
  }, [form]);
  return { compiled, error };
}
