import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { OutboxService, type RecordEventType } from '../events/outbox.service.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import { FormRuntimeService } from '../forms/form-runtime.service.js';
import type { FormAction } from '../policy/permissions.js';
import { fieldAccessAt, type FormAccess } from '../policy/policy-merge.js';
import { PolicyService, type RowScopeFilter } from '../policy/policy.service.js';
import type { CreateRecordDto, UpdateRecordDto } from './dto/records.dto.js';
import { presentChanges, presentRecord, type StoredRecord, systemValues } from './record-access.js';
import { type HistoryEntry, type RecordResponse, SYSTEM_FIELD_IDS } from './record-shape.js';
import { RecordStore } from './record-store.js';
import { normaliseDecimal } from './record-codec.js';
import { RecordHooks } from './record-hooks.js';
import { RowScopeSql } from './row-scope-sql.js';
import { serialParts } from './serial-number.js';

/** Who performs a change: a member, possibly through an automation cascade. */
export type Actor = Pick<
  AuthContext,
  'memberId' | 'workspaceId' | 'isOwner' | 'teamId' | 'locale'
> & { readonly depth?: number };

export type WriteContext = {
  readonly tx: Sql;
  readonly form: PublishedForm;
  readonly store: RecordStore;
  readonly access: FormAccess;
  readonly scope: RowScopeFilter;
};

type Change = { field: string; from: unknown; to: unknown };

@Injectable()
export class RecordsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly runtimes: FormRuntimeService,
    private readonly policy: PolicyService,
    private readonly outbox: OutboxService,
    private readonly rowScopes: RowScopeSql,
    private readonly hooks: RecordHooks,
  ) {}

  /** Opens the form for an action inside a transaction, holding a share lock against concurrent publishes. */
  async context(tx: Sql, actor: Actor, formId: string, action: FormAction): Promise<WriteContext> {
    const form = await this.catalog.published(actor.workspaceId, formId, tx, { lock: true });
    const access = await this.policy.formAccess(actor, form.id, tx);
    this.policy.requireForm(access, action, 'records of this form');
    const scope = await this.policy.rowScope(actor, access, tx);
    return { tx, form, store: new RecordStore(form), access, scope };
  }

  async create(actor: Actor, formId: string, dto: CreateRecordDto): Promise<RecordResponse> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.context(tx, actor, formId, 'create');
      const record = await this.insert(ctx, actor, dto.values, { draft: dto.draft === true });
      return presentRecord(ctx.form, record, ctx.access, actor);
    });
  }

  /** Inserts one record inside an open write context (also used by bulk create, imports and automations). */
  async insert(
    ctx: WriteContext,
    actor: Actor,
    rawValues: Readonly<Record<string, unknown>>,
    options: { draft?: boolean; ownerId?: string } = {},
  ): Promise<StoredRecord> {
    const { tx, form, store } = ctx;
    rejectSystemKeys(rawValues);
    const policy = fieldAccessAt(ctx.access, null);
    const now = new Date().toISOString();
    const outcome = this.runtimes.runtime(form).validate({
      values: rawValues,
      mode: options.draft === true ? 'draft' : 'submit',
      locale: actor.locale,
      hidden: idsWith(policy, 'hidden'),
      readOnly: idsWith(policy, 'read_only'),
      now,
      timeZone: await this.timeZone(tx, actor.workspaceId),
      user: { id: actor.memberId },
      system: {
        owner_id: options.ownerId ?? actor.memberId,
        created_by: actor.memberId,
        created_at: now,
        updated_at: now,
      },
    });
    if (!outcome.ok)
      throw outcome.forbidden
        ? ApiError.forbidden('Some fields cannot be written by your role', outcome.errors)
        : ApiError.validation(outcome.errors);
    const values = { ...outcome.values };
    if (options.draft !== true) await this.assignSerials(tx, actor, form, values);

    const params = new SqlParams();
    const ownerId = options.ownerId ?? actor.memberId;
    const search = store.searchColumns(values);
    const assignments = store.assignments(values, Object.keys(values), params);
    const columns = [
      'owner_id',
      'created_by',
      'is_draft',
      'submitted_at',
      'search_text',
      'search_grams',
      ...assignments.map((a) => a.split(' = ')[0] as string),
    ];
    const placeholders = [
      `${params.add(ownerId)}::uuid`,
      `${params.add(actor.memberId)}::uuid`,
      `${params.add(options.draft === true)}::boolean`,
      options.draft === true ? 'NULL' : 'now()',
      `${params.add(search.text)}::text`,
      `${params.add(search.grams)}::text[]`,
      ...assignments.map((a) => a.split(' = ')[1] as string),
    ];
    let id: string;
    try {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO ${store.table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING id`,
        params.values,
      );
      if (row === undefined) throw new Error('insert returned nothing');
      id = row.id;
      await store.writeRelated(tx, id, values, new Set(Object.keys(values)));
    } catch (error) {
      throw this.translateWriteError(store, error);
    }
    const inserted = await this.load(tx, store, id);
    const changes = Object.entries(inserted.values)
      .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([field, to]) => ({ field, from: null, to }));
    await this.writeHistory(tx, form, inserted, actor, 'create', changes);
    if (options.draft === true) return inserted;
    const record = await this.hooks.created(ctx, inserted, actor);
    await this.emit(tx, form, record, actor, 'record.created', { changes });
    return record;
  }

  async get(actor: Actor, formId: string, recordId: string): Promise<RecordResponse> {
    const form = await this.catalog.published(actor.workspaceId, formId);
    const access = await this.policy.formAccess(actor, form.id);
    this.policy.requireForm(access, 'read', 'records of this form');
    const scope = await this.policy.rowScope(actor, access);
    const store = new RecordStore(form);
    const record = await this.findVisible({ tx: this.db, store, scope }, actor, recordId, {
      includeDeleted: true,
    });
    return presentRecord(form, record, access, actor);
  }

  async update(
    actor: Actor,
    formId: string,
    recordId: string,
    dto: UpdateRecordDto,
    ifMatch: string | undefined,
  ): Promise<RecordResponse> {
    const expected = expectedVersion(dto.version, ifMatch);
    return this.db.transaction(async (tx) => {
      const ctx = await this.context(tx, actor, formId, 'update');
      const record = await this.change(ctx, actor, recordId, expected, dto.values, dto.ownerId);
      return presentRecord(ctx.form, record, ctx.access, actor);
    });
  }

  /**
   * Changes a record with compare-and-set on its version: the UPDATE only
   * applies WHERE version = expected, so of two concurrent writers based on
   * the same version exactly one wins and the other gets 409.
   */
  async change(
    ctx: WriteContext,
    actor: Actor,
    recordId: string,
    expected: number,
    patch: Readonly<Record<string, unknown>>,
    newOwnerId?: string,
  ): Promise<StoredRecord> {
    const { tx, form, store } = ctx;
    rejectSystemKeys(patch);
    const current = await this.findVisible(ctx, actor, recordId);
    if (current.version !== expected) throw versionConflict(current.version);
    const policy = fieldAccessAt(ctx.access, current.stage);
    const merged = { ...current.values, ...patch };
    const outcome = this.runtimes.runtime(form).validate({
      values: merged,
      previous: current.values,
      stage: current.stage,
      mode: current.isDraft ? 'draft' : 'submit',
      locale: actor.locale,
      hidden: idsWith(policy, 'hidden'),
      readOnly: idsWith(policy, 'read_only'),
      now: new Date().toISOString(),
      timeZone: await this.timeZone(tx, actor.workspaceId),
      user: { id: actor.memberId },
      system: systemValues(current),
    });
    if (!outcome.ok)
      throw outcome.forbidden
        ? ApiError.forbidden('Some fields cannot be written by your role', outcome.errors)
        : ApiError.validation(outcome.errors);
    const next = outcome.values;
    // What changes: the fields written, formulas recomputed from them, and fields the new values
    // hide (form-engine clears them). A stored value form-engine merely re-canonicalises is left as is.
    const written = new Set(Object.keys(patch));
    const computed = new Set(
      form.schema.fields.filter((f) => f.type === 'formula').map((f) => f.id),
    );
    const changed = Object.keys(next).filter(
      (id) =>
        !sameValue(current.values[id], next[id]) &&
        (written.has(id) || computed.has(id) || isEmpty(next[id])),
    );
    if (newOwnerId !== undefined && newOwnerId !== current.ownerId)
      await this.assertMember(tx, actor.workspaceId, newOwnerId);
    const ownerChanged = newOwnerId !== undefined && newOwnerId !== current.ownerId;
    if (changed.length === 0 && !ownerChanged) return current;

    const params = new SqlParams();
    const search = store.searchColumns(next);
    const sets = [
      ...store.assignments(next, changed, params),
      `search_text = ${params.add(search.text)}`,
      `search_grams = ${params.add(search.grams)}::text[]`,
      `version = version + 1`,
      `updated_at = now()`,
      ...(ownerChanged ? [`owner_id = ${params.add(newOwnerId)}::uuid`] : []),
    ];
    let affected: number;
    try {
      const result = await tx.execute(
        `UPDATE ${store.table} SET ${sets.join(', ')} WHERE id = ${params.add(recordId)}::uuid AND version = ${params.add(expected)} AND deleted_at IS NULL`,
        params.values,
      );
      affected = result.affected;
      await store.writeRelated(tx, recordId, next, new Set(changed));
    } catch (error) {
      throw this.translateWriteError(store, error);
    }
    if (affected !== 1) {
      const [row] = await tx.query<{ version: number }>(
        `SELECT version FROM ${store.table} WHERE id = $1`,
        [recordId],
      );
      throw versionConflict(row?.version ?? expected);
    }
    const record = await this.load(tx, store, recordId);
    const changes: Change[] = changed.map((field) => ({
      field,
      from: current.values[field] ?? null,
      to: record.values[field] ?? null,
    }));
    if (ownerChanged) changes.push({ field: 'owner_id', from: current.ownerId, to: newOwnerId });
    await this.writeHistory(tx, form, record, actor, 'update', changes);
    if (!record.isDraft)
      await this.emit(tx, form, record, actor, 'record.updated', {
        changes,
        previous: current.values,
      });
    return record;
  }

  async remove(actor: Actor, formId: string, recordId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const ctx = await this.context(tx, actor, formId, 'delete');
      const record = await this.findVisible(ctx, actor, recordId);
      await tx.query(
        `UPDATE ${ctx.store.table} SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
        [recordId],
      );
      const after = await this.load(tx, ctx.store, recordId);
      await this.writeHistory(tx, ctx.form, after, actor, 'delete', []);
      if (!record.isDraft) await this.emit(tx, ctx.form, after, actor, 'record.deleted', {});
    });
  }

  async restore(actor: Actor, formId: string, recordId: string): Promise<RecordResponse> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.context(tx, actor, formId, 'delete');
      const record = await this.findVisible(ctx, actor, recordId, { includeDeleted: true });
      if (record.deletedAt === null) return presentRecord(ctx.form, record, ctx.access, actor);
      try {
        await tx.query(
          `UPDATE ${ctx.store.table} SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
          [recordId],
        );
      } catch (error) {
        throw this.translateWriteError(ctx.store, error);
      }
      const after = await this.load(tx, ctx.store, recordId);
      await this.writeHistory(tx, ctx.form, after, actor, 'restore', []);
      await this.emit(tx, ctx.form, after, actor, 'record.restored', {});
      return presentRecord(ctx.form, after, ctx.access, actor);
    });
  }

  /** Turns a draft into a submitted record: full validation, serial numbers, and the created event. */
  async submit(actor: Actor, formId: string, recordId: string): Promise<RecordResponse> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.context(tx, actor, formId, 'create');
      const record = await this.findVisible(ctx, actor, recordId);
      if (!record.isDraft) throw new ApiError('CONFLICT', 'The record is already submitted');
      const outcome = this.runtimes.runtime(ctx.form).validate({
        values: record.values,
        previous: record.values,
        stage: record.stage,
        mode: 'submit',
        locale: actor.locale,
        hidden: new Set(),
        readOnly: new Set(),
        now: new Date().toISOString(),
        timeZone: await this.timeZone(tx, actor.workspaceId),
        user: { id: actor.memberId },
        system: systemValues(record),
      });
      if (!outcome.ok) throw ApiError.validation(outcome.errors, 'The draft is not complete');
      const values = { ...outcome.values };
      const before = Object.keys(values).filter(
        (k) => values[k] === undefined || values[k] === null,
      );
      await this.assignSerials(tx, actor, ctx.form, values);
      const serials = before.filter((k) => values[k] !== null && values[k] !== undefined);
      const params = new SqlParams();
      const sets = [
        ...ctx.store.assignments(values, serials, params),
        'is_draft = false',
        'submitted_at = now()',
        'version = version + 1',
        'updated_at = now()',
      ];
      try {
        await tx.query(
          `UPDATE ${ctx.store.table} SET ${sets.join(', ')} WHERE id = ${params.add(recordId)}::uuid`,
          params.values,
        );
      } catch (error) {
        throw this.translateWriteError(ctx.store, error);
      }
      const submitted = await this.load(tx, ctx.store, recordId);
      await this.writeHistory(tx, ctx.form, submitted, actor, 'submit', []);
      const after = await this.hooks.created(ctx, submitted, actor);
      await this.emit(tx, ctx.form, after, actor, 'record.created', {
        changes: Object.entries(after.values).map(([field, to]) => ({ field, from: null, to })),
      });
      return presentRecord(ctx.form, after, ctx.access, actor);
    });
  }

  async history(actor: Actor, formId: string, recordId: string): Promise<HistoryEntry[]> {
    const form = await this.catalog.published(actor.workspaceId, formId);
    const access = await this.policy.formAccess(actor, form.id);
    this.policy.requireForm(access, 'read', 'records of this form');
    const scope = await this.policy.rowScope(actor, access);
    const store = new RecordStore(form);
    const record = await this.findVisible({ tx: this.db, store, scope }, actor, recordId, {
      includeDeleted: true,
    });
    const rows = await this.db.query<{
      id: string;
      version: number;
      kind: string;
      actor_member_id: string | null;
      at: Date;
      changes: Change[];
      detail: unknown;
    }>(
      `SELECT id, version, kind, actor_member_id, at, changes, detail FROM record_history WHERE form_id = $1 AND record_id = $2 ORDER BY id`,
      [form.id, recordId],
    );
    const policy = fieldAccessAt(access, record.stage);
    const owns = record.ownerId === actor.memberId;
    return rows.map((r) => ({
      id: String(r.id),
      version: r.version,
      kind: r.kind,
      actorMemberId: r.actor_member_id,
      at: r.at.toISOString(),
      changes: presentChanges(r.changes, policy, owns),
      ...(r.detail === null ? {} : { detail: r.detail }),
    }));
  }

  /** A record the actor may see (row scope, drafts of others excluded); 404 otherwise, never 403, so ids do not leak. */
  async findVisible(
    ctx: Pick<WriteContext, 'tx' | 'store' | 'scope'>,
    actor: Actor,
    recordId: string,
    options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
  ): Promise<StoredRecord> {
    const params = new SqlParams();
    const where = [
      `t.id = ${params.add(recordId)}::uuid`,
      `(NOT t.is_draft OR t.created_by = ${params.add(actor.memberId)}::uuid)`,
      this.rowScopes.where(ctx.scope, ctx.store.form, params, 't'),
      ...(options.includeDeleted === true ? [] : ['t.deleted_at IS NULL']),
    ];
    const [row] = await ctx.tx.query(
      `SELECT ${ctx.store.selectList('t')} FROM ${ctx.store.table} t WHERE ${where.join(' AND ')}${options.forUpdate === true ? ' FOR UPDATE OF t' : ''}`,
      params.values,
    );
    if (row === undefined) throw ApiError.notFound('Record');
    const [record] = await ctx.store.loadChildren(ctx.tx, [ctx.store.toRecord(row)]);
    if (record === undefined) throw ApiError.notFound('Record');
    return record;
  }

  async load(tx: Sql, store: RecordStore, recordId: string): Promise<StoredRecord> {
    const [row] = await tx.query(
      `SELECT ${store.selectList('t')} FROM ${store.table} t WHERE t.id = $1`,
      [recordId],
    );
    if (row === undefined) throw ApiError.notFound('Record');
    const [record] = await store.loadChildren(tx, [store.toRecord(row)]);
    if (record === undefined) throw ApiError.notFound('Record');
    return record;
  }

  async writeHistory(
    tx: Sql,
    form: PublishedForm,
    record: StoredRecord,
    actor: Actor,
    kind: string,
    changes: readonly Change[],
    detail?: unknown,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO record_history (workspace_id, form_id, record_id, version, kind, actor_member_id, changes, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        form.workspaceId,
        form.id,
        record.id,
        record.version,
        kind,
        actor.memberId,
        JSON.stringify(changes),
        detail === undefined ? null : JSON.stringify(detail),
      ],
    );
  }

  async emit(
    tx: Sql,
    form: PublishedForm,
    record: StoredRecord,
    actor: Actor,
    type: RecordEventType,
    extra: Record<string, unknown>,
  ): Promise<string> {
    return this.outbox.add(tx, {
      workspaceId: form.workspaceId,
      appId: form.appId,
      formId: form.id,
      recordId: record.id,
      type,
      depth: actor.depth ?? 0,
      payload: {
        formKey: form.key,
        actorMemberId: actor.memberId,
        version: record.version,
        ownerId: record.ownerId,
        stage: record.stage,
        record: record.values,
        at: record.updatedAt,
        ...extra,
      },
    });
  }

  /** Gap-free serial numbers: the counter row is locked until the transaction ends, and rolls back with it. */
  private async assignSerials(
    tx: Sql,
    actor: Actor,
    form: PublishedForm,
    values: Record<string, unknown>,
  ): Promise<void> {
    const serialFields = form.schema.fields.filter((f) => f.type === 'serial');
    if (serialFields.length === 0) return;
    const timeZone = await this.timeZone(tx, actor.workspaceId);
    for (const field of serialFields) {
      if (values[field.id] !== undefined && values[field.id] !== null && values[field.id] !== '')
        continue;
      const pattern =
        typeof field['serial'] === 'object' && field['serial'] !== null
          ? String((field['serial'] as { pattern?: unknown }).pattern ?? '{0000}')
          : '{0000}';
      const parts = serialParts(pattern, new Date(), timeZone);
      const [row] = await tx.query<{ last_value: string }>(
        `INSERT INTO serial_counter (form_id, field_id, period, last_value) VALUES ($1, $2, $3, 1)
         ON CONFLICT (form_id, field_id, period) DO UPDATE SET last_value = serial_counter.last_value + 1
         RETURNING last_value`,
        [form.id, field.id, parts.period],
      );
      values[field.id] = parts.format(Number(row?.last_value ?? 1));
    }
  }

  /**
   * Formula fields that move when fields change outside a person's write (a
   * flow's setField effects, which are not validated as user input): the new
   * value of each formula whose value changes. Validation problems of the
   * record itself are not the effect's to report; they leave formulas as stored.
   */
  async formulasAfter(
    tx: Sql,
    form: PublishedForm,
    current: StoredRecord,
    written: Readonly<Record<string, unknown>>,
    actor: Actor,
  ): Promise<Record<string, unknown>> {
    const formulas = form.schema.fields.filter((f) => f.type === 'formula').map((f) => f.id);
    if (formulas.length === 0) return {};
    const values = { ...current.values, ...written };
    const outcome = this.runtimes.runtime(form).validate({
      values,
      previous: values,
      stage: current.stage,
      mode: 'draft',
      locale: actor.locale,
      hidden: new Set(),
      readOnly: new Set(),
      now: new Date().toISOString(),
      timeZone: await this.timeZone(tx, actor.workspaceId),
      user: { id: actor.memberId },
      system: systemValues(current),
    });
    if (!outcome.ok) return {};
    return Object.fromEntries(
      formulas
        .filter((id) => !sameValue(current.values[id], outcome.values[id]))
        .map((id) => [id, outcome.values[id] ?? null]),
    );
  }

  private readonly zones = new Map<string, string>();
  async timeZone(sql: Sql, workspaceId: string): Promise<string> {
    const cached = this.zones.get(workspaceId);
    if (cached !== undefined) return cached;
    const [row] = await sql.query<{ tz: string | null }>(
      `SELECT settings->>'timeZone' AS tz FROM workspace WHERE id = $1`,
      [workspaceId],
    );
    const zone = row?.tz ?? 'Asia/Shanghai';
    this.zones.set(workspaceId, zone);
    return zone;
  }

  private async assertMember(tx: Sql, workspaceId: string, memberId: string): Promise<void> {
    const rows = await tx.query(
      `SELECT 1 FROM member WHERE workspace_id = $1 AND id = $2 AND status = 'active'`,
      [workspaceId, memberId],
    );
    if (rows.length === 0)
      throw ApiError.validation([
        {
          path: 'ownerId',
          code: 'UNKNOWN_MEMBER',
          message: 'No such active member in this workspace',
        },
      ]);
  }

  translateWriteError(store: RecordStore, error: unknown): unknown {
    const pg = error as { code?: string; constraint?: string; column?: string };
    if (pg.code === '23505') {
      const field = store.fieldOfConstraint(pg.constraint);
      const label = field ?? 'a unique field';
      return new ApiError('UNIQUE_VIOLATION', `Another record already has this ${label}`, [
        {
          path: field === null ? '' : `values.${field}`,
          code: 'UNIQUE',
          message: `Another record already has this value`,
        },
      ]);
    }
    if (pg.code === '23503') {
      return ApiError.validation([
        {
          path: pg.constraint === undefined ? '' : `values`,
          code: 'UNKNOWN_REFERENCE',
          message: 'A related record, member or department does not exist',
        },
      ]);
    }
    if (pg.code === '22P02' || pg.code === '22007' || pg.code === '22008' || pg.code === '22003') {
      return ApiError.validation([
        { path: 'values', code: 'INVALID_VALUE', message: 'A value does not fit its field type' },
      ]);
    }
    return error;
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function rejectSystemKeys(values: Readonly<Record<string, unknown>>): void {
  const errors: ErrorDetail[] = [];
  for (const key of Object.keys(values)) {
    if (SYSTEM_FIELD_IDS.has(key))
      errors.push({
        path: `values.${key}`,
        code: 'SYSTEM_FIELD',
        message: `${key} is managed by the system and cannot be written`,
      });
    else if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      errors.push({
        path: `values.${key}`,
        code: 'UNKNOWN_FIELD',
        message: `${key} is not a field of this form`,
      });
  }
  if (errors.length > 0) throw ApiError.validation(errors);
}

function idsWith(policy: Readonly<Record<string, string>>, access: string): Set<string> {
  return new Set(
    Object.entries(policy)
      .filter(([, a]) => a === access)
      .map(([id]) => id),
  );
}

/** If-Match: "3", W/"3" or 3; or a version in the body. Missing: 428. */
export function expectedVersion(
  bodyVersion: number | undefined,
  ifMatch: string | undefined,
): number {
  if (bodyVersion !== undefined) return bodyVersion;
  if (ifMatch !== undefined) {
    const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
    if (match?.[1] !== undefined) return Number(match[1]);
    throw ApiError.validation([
      {
        path: 'If-Match',
        code: 'INVALID_IF_MATCH',
        message: 'If-Match must be the record version, such as "3"',
      },
    ]);
  }
  throw new ApiError(
    'PRECONDITION_REQUIRED',
    'Send the version you edited (If-Match header or "version")',
    [
      {
        path: 'version',
        code: 'VERSION_REQUIRED',
        message: 'The version you edited is required to prevent lost updates',
      },
    ],
  );
}

export function versionConflict(currentVersion: number): ApiError {
  return new ApiError(
    'VERSION_CONFLICT',
    'Someone else changed this record; reload it and apply your change again',
    [
      {
        path: 'version',
        code: 'STALE_VERSION',
        message: `The record is at version ${currentVersion}`,
      },
    ],
    { currentVersion },
  );
}

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b))
    return normaliseDecimal(a) === normaliseDecimal(b);
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}
