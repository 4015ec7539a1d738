import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { isApiProblem } from '../api/api-problem.js';
import type { TrellisRecord } from '../api/records-api.js';
import { useMe } from '../auth/session-context.js';
import { FormRenderer } from '../forms/form-renderer.js';
import type { CompiledFormLike, FieldState } from '../forms/form-runtime-types.js';
import type { FormSchema } from '../forms/form-schema.js';
import { useRecordForm } from '../forms/use-record-form.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { ProblemNotice } from '../ui/problem-notice.js';

export type FieldsOutcome = { ok: true } | { ok: false; error: unknown };

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * Asks for the fields a move needs (loss reason and competitor for Lost), with the form's own
 * widgets and messages; the move is tried again with the values.
 */
export function TransitionFieldsDialog({
  compiled,
  record,
  fieldIds,
  title,
  intro,
  submitLabel,
  onSubmit,
  onClose,
}: {
  compiled: CompiledFormLike;
  record: TrellisRecord;
  fieldIds: readonly string[];
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  onSubmit(values: Record<string, unknown>): Promise<FieldsOutcome>;
  onClose(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useMe();
  const form = useRecordForm(compiled, record.values, {
    user: { id: me.member.id, departmentId: me.member.teamId, roles: me.roles.map((r) => r.key) },
    stage: record.stage,
  });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [missing, setMissing] = useState<ReadonlySet<string>>(new Set());
  const shown = fieldIds.filter((id) => compiled.schema.fields.some((field) => field.id === id));
  const schema: FormSchema = {
    ...compiled.schema,
    layout: { items: shown.map((fieldId) => ({ type: 'field' as const, fieldId })) },
  };
  const states: Record<string, FieldState> = { ...form.states };
  for (const id of shown)
    states[id] = {
      ...(states[id] ?? { readOnly: false }),
      visible: true,
      required: true,
      readOnly: false,
    };
  const errors = new Map<string, readonly string[]>();
  for (const id of shown) {
    const list = [...(form.errors.get(id) ?? [])];
    if (missing.has(id) && isEmpty(form.values[id])) list.unshift(t('validation.required'));
    if (list.length > 0) errors.set(id, list);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const empty = new Set(shown.filter((id) => isEmpty(form.values[id])));
    setMissing(empty);
    for (const id of shown) form.touch(id);
    if (empty.size > 0 || shown.some((id) => (form.errors.get(id) ?? []).length > 0)) return;
    setBusy(true);
    setProblem(null);
    const values = Object.fromEntries(shown.map((id) => [id, form.values[id]]));
    const outcome = await onSubmit(values);
    setBusy(false);
    if (!outcome.ok) {
      setProblem(outcome.error);
      if (isApiProblem(outcome.error)) form.showServerProblem(outcome.error);
    }
  }

  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      testId="transition-fields-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            variant="primary"
            type="submit"
            form="transition-fields-form"
            busy={busy}
            data-testid="transition-fields-submit"
          >
            {submitLabel}
          </Button>
        </>
      }
    >
      <form id="transition-fields-form" onSubmit={(event) => void submit(event)} noValidate>
        {intro}
        {problem === null ? null : <ProblemNotice error={problem} errors={[]} />}
        <FormRenderer
          schema={schema}
          values={form.values}
          states={states}
          errors={errors}
          onChange={form.setValue}
          onBlur={form.touch}
        />
      </form>
    </Dialog>
  );
}
