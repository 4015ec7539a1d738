import type { AuthContext } from '../auth/auth-context.js';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import type { FieldAccess } from '../policy/permissions.js';
import { fieldAccessAt, maskValue, type FormAccess } from '../policy/policy-merge.js';
import type { RecordResponse } from './record-shape.js';

/** A record as stored, before the viewer's field policy is applied. */
export type StoredRecord = {
  readonly id: string;
  readonly version: number;
  readonly ownerId: string | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly stage: string | null;
  readonly stageEnteredAt: string | null;
  readonly isDraft: boolean;
  readonly submittedAt: string | null;
  readonly deletedAt: string | null;
  readonly flowSnapshot: unknown;
  readonly values: Readonly<Record<string, unknown>>;
};

/** The system fields of a stored record, by the names rules and formulas read them under. */
export function systemValues(record: StoredRecord): Record<string, unknown> {
  return {
    id: record.id,
    owner_id: record.ownerId,
    created_by: record.createdBy,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    stage: record.stage,
    stage_entered_at: record.stageEnteredAt,
    version: record.version,
    is_draft: record.isDraft,
    submitted_at: record.submittedAt,
    deleted_at: record.deletedAt,
  };
}

/** Field ids the viewer may not read (hidden) in any stage: filters, sorts and searches on them are refused. */
export function unreadableFields(access: FormAccess): Set<string> {
  const out = new Set<string>();
  const collect = (fields: Readonly<Record<string, FieldAccess>>) => {
    for (const [id, a] of Object.entries(fields)) if (a === 'hidden') out.add(id);
  };
  collect(access.fields);
  for (const stage of Object.values(access.stages)) collect(stage);
  return out;
}

/** Field ids that are hidden or masked somewhere: they must not feed a search the viewer runs. */
export function unsearchableFields(access: FormAccess): Set<string> {
  const out = unreadableFields(access);
  const collect = (fields: Readonly<Record<string, FieldAccess>>) => {
    for (const [id, a] of Object.entries(fields)) if (a === 'masked') out.add(id);
  };
  collect(access.fields);
  for (const stage of Object.values(access.stages)) collect(stage);
  return out;
}

/**
 * Applies the viewer's field policy: hidden fields disappear, masked fields
 * are masked unless the viewer owns the record.
 */
export function presentRecord(
  form: PublishedForm,
  record: StoredRecord,
  access: FormAccess,
  auth: Pick<AuthContext, 'memberId'>,
): RecordResponse {
  const policy = fieldAccessAt(access, record.stage);
  const values: Record<string, unknown> = {};
  const masked: string[] = [];
  for (const [fieldId, value] of Object.entries(record.values)) {
    const rule = policy[fieldId];
    if (rule === 'hidden') continue;
    if (rule === 'masked' && record.ownerId !== auth.memberId) {
      values[fieldId] = Array.isArray(value) ? value.map(maskValue) : maskValue(value);
      masked.push(fieldId);
      continue;
    }
    values[fieldId] = value;
  }
  return {
    id: record.id,
    formId: form.id,
    version: record.version,
    ownerId: record.ownerId,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stage: record.stage,
    stageEnteredAt: record.stageEnteredAt,
    isDraft: record.isDraft,
    submittedAt: record.submittedAt,
    deletedAt: record.deletedAt,
    values,
    masked,
  };
}

/** History changes filtered the same way: hidden fields vanish, masked ones are masked. */
export function presentChanges(
  changes: ReadonlyArray<{ field: string; from: unknown; to: unknown }>,
  policy: Readonly<Record<string, FieldAccess>>,
  ownsRecord: boolean,
): Array<{ field: string; from: unknown; to: unknown }> {
  return changes
    .filter((c) => policy[c.field] !== 'hidden')
    .map((c) =>
      policy[c.field] === 'masked' && !ownsRecord
        ? { field: c.field, from: maskValue(c.from), to: maskValue(c.to) }
        : c,
    );
}
