import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { errorsByField, isApiProblem } from '../api/api-problem.js';
import { formsApi, type FormDetail } from '../api/forms-api.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { TextField } from '../ui/form-field.js';
import { errorMessage, ProblemNotice } from '../ui/problem-notice.js';

const FORM_KEY = /^[a-z][a-z0-9_]{0,40}$/;

/** The first free `form_N` key: form keys are stable identifiers, names can be anything. */
export function suggestFormKey(taken: readonly string[]): string {
  const used = new Set(taken);
  for (let n = taken.length + 1; ; n += 1) if (!used.has(`form_${n}`)) return `form_${n}`;
}

export function CreateFormDialog({
  appId,
  open,
  takenKeys,
  onClose,
  onCreated,
}: {
  appId: string;
  open: boolean;
  takenKeys: readonly string[];
  onClose(): void;
  onCreated(form: FormDetail): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [nameZh, setNameZh] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const taken = takenKeys.join(',');
  useEffect(() => {
    if (!open) return;
    setNameZh('');
    setNameEn('');
    setKey(suggestFormKey(taken === '' ? [] : taken.split(',')));
    setError(null);
    setFieldErrors({});
  }, [open, taken]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (nameZh.trim() === '') local['name'] = t('validation.required');
    if (!FORM_KEY.test(key)) local['key'] = t('forms.keyRule');
    else if (takenKeys.includes(key)) local['key'] = t('forms.keyTaken');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const name =
        nameEn.trim() === '' ? nameZh.trim() : { 'zh-CN': nameZh.trim(), en: nameEn.trim() };
      const form = await formsApi.create(appId, {
        key,
        name,
        schema: { id: key, name, fields: [], layout: { items: [] } },
      });
      onCreated(form);
    } catch (caught) {
      setError(caught);
      if (isApiProblem(caught)) {
        setFieldErrors(
          Object.fromEntries(
            [...errorsByField(caught.errors)].map(([field, list]) => [
              field,
              list.map((e) => errorMessage(e, i18n)).join(' '),
            ]),
          ),
        );
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t('forms.createTitle')}
      testId="create-form-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="create-form-form" busy={busy}>
            {t('forms.createSubmit')}
          </Button>
        </>
      }
    >
      <form
        id="create-form-form"
        className="form-stack"
        onSubmit={(e) => void submit(e)}
        noValidate
      >
        {error === null ? null : <ProblemNotice error={error} />}
        <div className="form-row">
          <TextField
            label={t('forms.nameZh')}
            required
            value={nameZh}
            onChange={(e) => setNameZh(e.target.value)}
            error={fieldErrors['name']}
            name="formNameZh"
            autoFocus
          />
          <TextField
            label={t('forms.nameEn')}
            value={nameEn}
            onChange={(e) => setNameEn(e.target.value)}
            name="formNameEn"
          />
        </div>
        <TextField
          label={t('forms.key')}
          hint={t('forms.keyHint')}
          value={key}
          onChange={(e) => setKey(e.target.value.trim())}
          error={fieldErrors['key']}
          className="mono-input"
          name="formKey"
        />
      </form>
    </Dialog>
  );
}
