import type { ReactElement } from 'react';
import type { TrellisRecord } from '../api/records-api.js';
import { FieldValue } from '../forms/field-value.js';
import { resolvedLayout } from '../forms/form-layout.js';
import type { FieldSchema, FormSchema, LayoutItem } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';

/** A record read back: the form's layout with each field's value. */
export function RecordView({ schema, record }: { schema: FormSchema; record: TrellisRecord }) {
  const byId = new Map(schema.fields.map((field) => [field.id, field]));
  return (
    <div className="record-view">
      <ViewItems items={resolvedLayout(schema)} byId={byId} record={record} />
    </div>
  );
}

function ViewItems({
  items,
  byId,
  record,
}: {
  items: readonly LayoutItem[];
  byId: ReadonlyMap<string, FieldSchema>;
  record: TrellisRecord;
}) {
  const { t, text } = useI18n();
  const fields: FieldSchema[] = [];
  const blocks: ReactElement[] = [];
  const flush = (key: string) => {
    if (fields.length === 0) return;
    blocks.push(
      <dl key={key} className="record-view__list">
        {fields.splice(0).map((field) => (
          <div
            key={field.id}
            className={
              field.type === 'sub_table' || field.type === 'rich_text'
                ? 'record-view__item record-view__item--wide'
                : 'record-view__item'
            }
          >
            <dt>{text(field.label)}</dt>
            <dd data-testid={`value-${field.id}`}>
              <FieldValue field={field} value={record.values[field.id]} />
              {record.masked.includes(field.id) ? (
                <span className="badge">{t('records.masked')}</span>
              ) : null}
            </dd>
          </div>
        ))}
      </dl>,
    );
  };
  items.forEach((item, index) => {
    if (item.type === 'field') {
      const field = byId.get(item.fieldId);
      if (field !== undefined) fields.push(field);
      return;
    }
    flush(`list-${index}`);
    if (item.type === 'section') {
      blocks.push(
        <section key={item.id} className="record-view__section">
          {item.title === undefined ? null : <h3>{text(item.title)}</h3>}
          <ViewItems items={item.items} byId={byId} record={record} />
        </section>,
      );
    } else if (item.type === 'columns') {
      blocks.push(
        <ViewItems
          key={item.id}
          items={item.columns.flatMap((column) => column.items)}
          byId={byId}
          record={record}
        />,
      );
    } else {
      for (const tab of item.tabs) {
        blocks.push(
          <section key={tab.id} className="record-view__section">
            <h3>{text(tab.title)}</h3>
            <ViewItems items={tab.items} byId={byId} record={record} />
          </section>,
        );
      }
    }
  });
  flush('list-end');
  return <>{blocks}</>;
}
