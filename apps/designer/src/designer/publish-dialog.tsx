import { useEffect, useState } from 'react';
import { formsApi, type PublishResult } from '../api/forms-api.js';
import { isFieldType, type FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { Checkbox } from '../ui/form-field.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { FIELD_TYPE_META } from './field-type-meta.js';

const DIFF_KINDS: Readonly<Record<string, MessageKey>> = {
  added: 'publish.diff.added',
  removed: 'publish.diff.removed',
  renamed: 'publish.diff.renamed',
  retyped: 'publish.diff.retyped',
  options: 'publish.diff.options',
  optionsChanged: 'publish.diff.options',
  changed: 'publish.diff.changed',
};

type DiffGroup = { kind: string; entries: string[] };

/** Reads the schema diff (form-engine's diffFormSchemas) into labelled groups of readable lines. */
export function diffGroups(
  diff: unknown,
  label: (fieldId: string) => string,
  typeName: (type: string) => string = (type) => type,
): DiffGroup[] {
  if (typeof diff !== 'object' || diff === null) return [];
  const groups: DiffGroup[] = [];
  for (const [kind, value] of Object.entries(diff as Record<string, unknown>)) {
    if (!Array.isArray(value) || value.length === 0) continue;
    const entries = value.map((entry): string => {
      if (typeof entry === 'string') return label(entry);
      if (typeof entry !== 'object' || entry === null) return String(entry);
      const record = entry as Record<string, unknown>;
      const id =
        typeof record['fieldId'] === 'string'
          ? record['fieldId']
          : typeof record['id'] === 'string'
            ? record['id']
            : typeof record['to'] === 'string'
              ? record['to']
              : '';
      const parts = [label(id)];
      if (typeof record['fromType'] === 'string' && typeof record['toType'] === 'string')
        parts.push(`${typeName(record['fromType'])} → ${typeName(record['toType'])}`);
      else if (typeof record['from'] === 'string' && typeof record['to'] === 'string')
        parts.push(`${record['from']} → ${record['to']}`);
      return parts.join(' · ');
    });
    groups.push({ kind, entries });
  }
  return groups;
}

/** Publish with a preview first: the diff, and a warning for every value a type change cannot convert. */
export function PublishDialog({
  formId,
  fields,
  onClose,
  onPublished,
  onProblem,
}: {
  formId: string;
  fields: readonly FieldSchema[];
  onClose(): void;
  onPublished(result: PublishResult): void;
  onProblem(error: unknown): void;
}) {
  const { t, text } = useI18n();
  const [preview, setPreview] = useState<PublishResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [accepted, setAccepted] = useState(false);

  useEffect(() => {
    let live = true;
    formsApi.publish(formId, true).then(
      (result) => live && setPreview(result),
      (caught: unknown) => {
        if (!live) return;
        setError(caught);
        onProblem(caught);
      },
    );
    return () => {
      live = false;
    };
  }, [formId, onProblem]);

  const label = (fieldId: string) => {
    const field = fields.find((entry) => entry.id === fieldId);
    return field === undefined ? fieldId : `${text(field.label)} (${fieldId})`;
  };
  const lossyRows = preview?.lossy.reduce((n, entry) => n + entry.lossy, 0) ?? 0;

  async function publish() {
    setBusy(true);
    setError(null);
    try {
      onPublished(await formsApi.publish(formId, false));
    } catch (caught) {
      setError(caught);
      onProblem(caught);
      setBusy(false);
    }
  }

  const typeName = (type: string) => (isFieldType(type) ? t(FIELD_TYPE_META[type].label) : type);
  const groups = preview === null ? [] : diffGroups(preview.diff, label, typeName);
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={t('publish.title')}
      testId="publish-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            variant="primary"
            busy={busy}
            disabled={preview === null || (lossyRows > 0 && !accepted)}
            onClick={() => void publish()}
            data-testid="confirm-publish"
          >
            {preview === null
              ? t('publish.publish')
              : t('publish.publishVersion', { version: preview.version })}
          </Button>
        </>
      }
    >
      {error === null ? null : <ProblemNotice error={error} />}
      {preview === null && error === null ? <Loading label={t('publish.previewing')} /> : null}
      {preview === null ? null : (
        <div className="form-stack">
          <p>
            {preview.version === 1
              ? t('publish.firstVersion')
              : t('publish.nextVersion', { version: preview.version })}
          </p>
          {groups.length === 0 ? (
            <Notice tone="info" title={t('publish.noChanges')} />
          ) : (
            <div className="publish-diff" data-testid="publish-diff">
              {groups.map((group) => (
                <section key={group.kind} className="publish-diff__group">
                  <h3 className="field__label">
                    {DIFF_KINDS[group.kind] === undefined
                      ? group.kind
                      : t(DIFF_KINDS[group.kind] as MessageKey)}
                    <span className="badge">{group.entries.length}</span>
                  </h3>
                  <ul className="small">
                    {group.entries.map((entry, index) => (
                      <li key={index}>{entry}</li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          )}
          {preview.lossy.filter((entry) => entry.lossy > 0).length > 0 ? (
            <Notice
              tone="warning"
              title={t('publish.lossyTitle', { count: lossyRows })}
              testId="lossy-warning"
            >
              <p>{t('publish.lossyBody')}</p>
              <ul>
                {preview.lossy
                  .filter((entry) => entry.lossy > 0)
                  .map((entry) => (
                    <li key={entry.fieldId}>
                      {t('publish.lossyField', {
                        field: label(entry.fieldId),
                        from: typeName(entry.fromType),
                        to: typeName(entry.toType),
                        lossy: entry.lossy,
                        converted: entry.converted,
                      })}
                      {entry.samples.length > 0 ? (
                        <span className="mono">
                          {' '}
                          {t('publish.samples')}:{' '}
                          {entry.samples.map((sample) => JSON.stringify(sample.value)).join(', ')}
                        </span>
                      ) : null}
                    </li>
                  ))}
              </ul>
              <Checkbox
                label={t('publish.acceptLossy')}
                checked={accepted}
                onChange={(event) => setAccepted(event.target.checked)}
              />
            </Notice>
          ) : null}
          {preview.statements.length > 0 ? (
            <details>
              <summary className="small">
                {t('publish.technical', { count: preview.statements.length })}
              </summary>
              <pre className="mono publish-sql">{preview.statements.join(';\n')}</pre>
            </details>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
