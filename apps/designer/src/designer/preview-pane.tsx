import { useMemo, useState } from 'react';
import { compileDraft } from '../forms/compiled-form.js';
import type { CompiledFormLike } from '../forms/form-runtime-types.js';
import { FormRenderer } from '../forms/form-renderer.js';
import type { FormSchema } from '../forms/form-schema.js';
import { useRecordForm } from '../forms/use-record-form.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { Notice } from '../ui/problem-notice.js';

type Device = 'desktop' | 'phone';

/** The draft as people will fill it in, at desktop or phone width, validating as you type. */
export function PreviewPane({ schema }: { schema: FormSchema }) {
  const { t, text } = useI18n();
  const [device, setDevice] = useState<Device>('desktop');
  const [round, setRound] = useState(0);
  const compiled = useMemo(() => compileDraft(schema), [schema]);
  return (
    <div className="preview" data-testid="preview">
      <div className="preview__toolbar">
        <div className="segmented" role="group" aria-label={t('designer.previewWidth')}>
          <button
            type="button"
            aria-pressed={device === 'desktop'}
            onClick={() => setDevice('desktop')}
            data-testid="preview-desktop"
          >
            <Icon name="desktop" />
            {t('designer.desktop')}
          </button>
          <button
            type="button"
            aria-pressed={device === 'phone'}
            onClick={() => setDevice('phone')}
            data-testid="preview-phone"
          >
            <Icon name="phone" />
            {t('designer.phone')}
          </button>
        </div>
        <Button size="small" variant="ghost" icon="refresh" onClick={() => setRound((n) => n + 1)}>
          {t('designer.resetPreview')}
        </Button>
      </div>
      <div
        className={device === 'phone' ? 'preview__stage preview__stage--phone' : 'preview__stage'}
      >
        <div
          className={device === 'phone' ? 'preview__frame preview__frame--phone' : 'preview__frame'}
          data-testid={`preview-frame-${device}`}
        >
          <h2 className="preview__title">{text(schema.name)}</h2>
          <PreviewForm key={round} compiled={compiled} />
        </div>
      </div>
    </div>
  );
}

function PreviewForm({ compiled }: { compiled: CompiledFormLike }) {
  const { t } = useI18n();
  const initial = useMemo(
    () => compiled.initialValues({ now: new Date().toISOString() }),
    [compiled],
  );
  const form = useRecordForm(compiled, initial);
  const [tried, setTried] = useState<boolean | null>(null);
  return (
    <form
      className="record-editor"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTried(form.attemptSubmit());
      }}
    >
      {tried === true ? <Notice tone="success" title={t('designer.previewValid')} /> : null}
      {tried === false ? <Notice tone="error" title={t('records.fixErrors')} /> : null}
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
        <Button type="submit" variant="primary">
          {t('designer.trySubmit')}
        </Button>
      </div>
    </form>
  );
}
