import type { Member } from '../api/people-api.js';
import type { HistoryEntry } from '../api/records-api.js';
import { FieldValue } from '../forms/field-value.js';
import { fieldsInLayoutOrder } from '../forms/form-layout.js';
import type { FormSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

const KIND_LABELS: Readonly<Record<string, MessageKey>> = {
  created: 'history.created',
  create: 'history.created',
  updated: 'history.updated',
  update: 'history.updated',
  deleted: 'history.deleted',
  delete: 'history.deleted',
  restored: 'history.restored',
  restore: 'history.restored',
  submitted: 'history.submitted',
  submit: 'history.submitted',
  transition: 'history.transition',
};

function isBlank(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** Who changed which field from what to what, newest first. */
export function RecordHistory({
  entries,
  schema,
  members,
}: {
  entries: readonly HistoryEntry[];
  schema: FormSchema;
  members: readonly Member[];
}) {
  const { t, text, formatDateTime } = useI18n();
  const byId = new Map(schema.fields.map((field) => [field.id, field]));
  const order = new Map(fieldsInLayoutOrder(schema).map((field, index) => [field.id, index]));
  const position = (fieldId: string) => order.get(fieldId) ?? Number.MAX_SAFE_INTEGER;
  const names = new Map(members.map((member) => [member.id, member.displayName]));
  if (entries.length === 0) return <p className="muted">{t('history.empty')}</p>;
  const sorted = [...entries].sort((a, b) => b.version - a.version || b.at.localeCompare(a.at));
  return (
    <ol className="timeline list-plain" data-testid="history">
      {sorted.map((entry) => {
        const label = KIND_LABELS[entry.kind];
        return (
          <li key={entry.id} className="timeline__item">
            <div className="timeline__dot" aria-hidden="true" />
            <div className="timeline__body">
              <p>
                <strong>
                  {entry.actorMemberId === null
                    ? t('history.system')
                    : (names.get(entry.actorMemberId) ?? t('history.someone'))}
                </strong>{' '}
                {label === undefined ? entry.kind : t(label)}
                <span className="timeline__time"> · {formatDateTime(entry.at)}</span>
              </p>
              {entry.changes.length > 0 ? (
                <ul className="timeline__changes list-plain">
                  {[...entry.changes]
                    .sort((a, b) => position(a.field) - position(b.field))
                    .map((change) => {
                      const field = byId.get(change.field);
                      return (
                        <li key={change.field}>
                          <span className="timeline__field">
                            {field === undefined ? change.field : text(field.label)}
                          </span>
                          {field === undefined ? (
                            <span>
                              {JSON.stringify(change.from)} → {JSON.stringify(change.to)}
                            </span>
                          ) : isBlank(change.from) ? (
                            <span className="timeline__change">
                              <FieldValue field={field} value={change.to} compact />
                            </span>
                          ) : (
                            <span className="timeline__change">
                              <span className="timeline__from">
                                <FieldValue field={field} value={change.from} compact />
                              </span>
                              <span aria-hidden="true">→</span>
                              <span className="visually-hidden">{t('history.to')}</span>
                              <FieldValue field={field} value={change.to} compact />
                            </span>
                          )}
                        </li>
                      );
                    })}
                </ul>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
