import type { RecordData } from '@trellis/rule-engine';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import { type StoredRecord, systemValues } from '../records/record-access.js';
import type { OutboxEventJob } from './queues.js';

/** A stored record as rule data: field values plus the system fields rules may read. */
export function recordData(record: StoredRecord): Record<string, unknown> {
  return { ...record.values, ...systemValues(record) };
}

type Change = { field: string; from: unknown; to: unknown };

/** The record as the event saw it (its payload), plus system fields loaded separately when needed. */
export function eventRecordData(
  job: OutboxEventJob,
  system: {
    created_at?: string | null;
    created_by?: string | null;
    stage_entered_at?: string | null;
  } = {},
): Record<string, unknown> {
  const p = job.payload;
  const values = isObject(p['record']) ? p['record'] : {};
  const at = typeof p['at'] === 'string' ? p['at'] : null;
  return {
    ...values,
    id: job.recordId,
    owner_id: typeof p['ownerId'] === 'string' ? p['ownerId'] : null,
    stage: typeof p['stage'] === 'string' ? p['stage'] : null,
    version: typeof p['version'] === 'number' ? p['version'] : null,
    updated_at: at,
    created_at: system.created_at ?? (job.type === 'record.created' ? at : null),
    created_by:
      system.created_by ??
      (job.type === 'record.created' && typeof p['actorMemberId'] === 'string'
        ? p['actorMemberId']
        : null),
    stage_entered_at: system.stage_entered_at ?? null,
  };
}

/** The record before an update (field values from the payload's `previous`, owner and stage from the changes). */
export function eventBeforeData(job: OutboxEventJob, after: RecordData): Record<string, unknown> {
  const p = job.payload;
  const changes = Array.isArray(p['changes']) ? (p['changes'] as Change[]) : [];
  const previous = isObject(p['previous']) ? p['previous'] : null;
  const before: Record<string, unknown> = { ...after, ...(previous ?? {}) };
  if (previous === null) for (const c of changes) before[c.field] = c.from;
  const owner = changes.find((c) => c.field === 'owner_id');
  if (owner !== undefined) before['owner_id'] = owner.from;
  if (job.type === 'record.stage_changed') before['stage'] = p['from'] ?? null;
  return before;
}

/** A short human name for a record: its first filled text field. */
export function summaryOf(form: PublishedForm, values: Readonly<Record<string, unknown>>): string {
  for (const field of form.schema.fields) {
    if (field.type !== 'text' && field.type !== 'serial') continue;
    const value = values[field.id];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 80);
  }
  return '';
}

/**
 * `{field}` or `{{field}}` placeholders in a notification text, filled from the record (plain
 * text, never markup); `{customer.company_name}` reads a related record the rule data carries.
 */
export function interpolate(text: string, data: RecordData): string {
  const fill = (_m: string, doubled: string | undefined, single: string | undefined) => {
    let value: unknown = data;
    for (const segment of (doubled ?? single ?? '').split('.')) {
      if (!isObject(value) || !Object.hasOwn(value, segment)) return '';
      value = value[segment];
    }
    if (value === null || value === undefined) return '';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    if (isObject(value) && typeof value['id'] === 'string') return summaryOfData(value);
    return JSON.stringify(value);
  };
  const path = '\\s*([a-z][a-z0-9_]{0,62}(?:\\.[a-z][a-z0-9_]{0,62}){0,3})\\s*';
  // one pass, so a filled-in value is never read as a placeholder itself
  return text.replace(new RegExp(`\\{\\{${path}\\}\\}|\\{${path}\\}`, 'g'), fill);
}

/** A related record in a text: its first non-empty text value. */
function summaryOfData(value: Record<string, unknown>): string {
  for (const v of Object.values(value))
    if (typeof v === 'string' && v.trim() !== '' && !/^[0-9a-f-]{36}$/i.test(v)) return v;
  return String(value['id']);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
