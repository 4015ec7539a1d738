import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { isApiProblem } from '../api/api-problem.js';
import { useMe } from '../auth/session-context.js';
import type { CompiledFormLike } from '../forms/form-runtime-types.js';
import { FormRenderer } from '../forms/form-renderer.js';
import { useRecordForm } from '../forms/use-record-form.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';

export type SaveOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * A record being created or edited: the generated form validating as you type, and on submit
 * either saved or shown the server's errors at their fields.
 */
export function RecordEditor({
  compiled,
  initial,
  stage,
  submitLabel,
  allowDraft,
  onSave,
  onCancel,
}: {
  compiled: CompiledFormLike;
  initial: Readonly<Record<string, unknown>>;
  stage?: string | null;
  submitLabel: string;
  allowDraft?: boolean;
  /** Sends the values; `changedOnly` values when editing. */
  onSave(values: Record<string, unknown>, draft: boolean): Promise<SaveOutcome>;
  onCancel(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useMe();
  const form = useRecordForm(compiled, initial, {
    user: {
      id: me.member.id,
      departmentId: me.member.teamId,
      roles: me.roles.map((role) => role.key),
    },
    stage: stage ?? null,
  });
  const [busy, setBusy] = useState<'save' | 'draft' | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [showInvalid, setShowInvalid] = useState(false);
  const ref = useRef<HTMLFormElement>(null);

  function focusFirstError() {
    window.requestAnimationFrame(() => {
      const invalid = ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.focus();
    });
  }

  async function save(draft: boolean) {
    setProblem(null);
    if (!draft && !form.attemptSubmit()) {
      setShowInvalid(true);
      focusFirstError();
      return;
    }
    setShowInvalid(false);
    setBusy(draft ? 'draft' : 'save');
    const outcome = await onSave(form.payload(), draft);
    setBusy(null);
    if (!outcome.ok) {
      setProblem(outcome.error);
      if (isApiProblem(outcome.error)) form.showServerProblem(outcome.error);
      focusFirstError();
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void save(false);
  }

  return (
    <form
      ref={ref}
      className="record-editor"
      onSubmit={submit}
      noValidate
      data-testid="record-form"
    >
      {problem === null ? null : <ProblemNotice error={problem} errors={[]} />}
      {showInvalid && !form.valid ? (
        <Notice tone="error" title={t('records.fixErrors')} testId="invalid-notice" />
      ) : null}
      {form.formErrors.length > 0 ? (
        <Notice tone="error" title={t('records.formErrors')}>
          <ul>
            {form.formErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <FormRenderer
        schema={compiled.schema}
        values={form.values}
        states={form.states}
        errors={form.errors}
        onChange={form.setValue}
        onBlur={form.touch}
      />
      <div className="record-editor__actions">
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        {allowDraft === true ? (
          <Button onClick={() => void save(true)} busy={busy === 'draft'} disabled={busy !== null}>
            {t('records.saveDraft')}
          </Button>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          busy={busy === 'save'}
          disabled={busy !== null}
          data-testid="save-record"
        >
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
