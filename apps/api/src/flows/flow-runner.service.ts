import { Injectable, type OnModuleInit } from '@nestjs/common';
import { own } from '../common/own.js';
import {
  availableTransitions,
  type AvailableTransition,
  decide,
  type Decision,
  fireTimer,
  type FlowContext,
  type FlowDefinition,
  type FlowEvent,
  type FlowResult,
  type FlowSnapshot,
  type HistoryEntry as FlowHistoryEntry,
  type Refusal,
  startFlow,
  transition,
} from '@trellis/flow-engine';
import { CHINA_MAINLAND_CALENDAR_2026_2027 } from '@trellis/rule-engine';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { q } from '../forms/table-layout.js';
import { presentRecord, type StoredRecord } from '../records/record-access.js';
import { toDbParam } from '../records/record-codec.js';
import { RecordHooks } from '../records/record-hooks.js';
import type { RecordResponse } from '../records/record-shape.js';
import {
  type Actor,
  RecordsService,
  versionConflict,
  type WriteContext,
} from '../records/records.service.js';
import type { DecisionDto } from '../approvals/dto/approvals.dto.js';
import type { TransitionDto } from './dto/flows.dto.js';
import { FlowEffectsService } from './flow-effects.service.js';
import { FlowsService } from './flows.service.js';
import { type WorkspaceDirectory, WorkspaceDirectoryLoader } from './workspace-directory.js';

type Ok = Extract<FlowResult, { ok: true }>;

const SYSTEM_ACTOR = 'system';

/**
 * Runs flows on records: flow-engine computes, this service performs — the
 * record's stage and snapshot change with compare-and-set on its version,
 * history and effects are written in the same transaction. Of fifty identical
 * concurrent moves exactly one succeeds; the others get 409.
 */
@Injectable()
export class FlowRunnerService implements OnModuleInit {
  constructor(
    private readonly db: DatabaseService,
    private readonly records: RecordsService,
    private readonly flows: FlowsService,
    private readonly directories: WorkspaceDirectoryLoader,
    private readonly effects: FlowEffectsService,
    private readonly hooks: RecordHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.onCreated((ctx, record, actor) => this.start(ctx, record, actor));
  }

  /** A new record enters its form's flow (inside the creating transaction). */
  async start(ctx: WriteContext, record: StoredRecord, actor: Actor): Promise<StoredRecord> {
    const def = await this.flows.currentFor(ctx.tx, ctx.form.id);
    if (def === null) return record;
    const directory = await this.directories.load(ctx.tx, actor.workspaceId);
    const result = startFlow(def, this.flowContext(record, actor.memberId, directory));
    if (!result.ok) throw refused(result.reasons);
    return this.apply(ctx, record, actor, result, directory, 'record.created');
  }

  async transition(
    auth: AuthContext,
    formId: string,
    recordId: string,
    dto: TransitionDto,
  ): Promise<RecordResponse> {
    return this.db.transaction(async (tx) => {
      const { ctx, record } = await this.transitionIn(tx, auth, formId, recordId, dto);
      return presentRecord(ctx.form, record, ctx.access, auth);
    });
  }

  /**
   * A transition inside the caller's transaction, by a member or an
   * automation acting as its rule's author (whose permissions apply).
   */
  async transitionIn(
    tx: Sql,
    auth: Actor,
    formId: string,
    recordId: string,
    dto: TransitionDto,
  ): Promise<{ ctx: WriteContext; record: StoredRecord }> {
    const ctx = await this.records.context(tx, auth, formId, 'update');
    let current = await this.records.findVisible(ctx, auth, recordId);
    if (dto.version !== undefined && dto.version !== current.version)
      throw versionConflict(current.version);
    if (dto.values !== undefined && Object.keys(dto.values).length > 0)
      current = await this.records.change(ctx, auth, recordId, current.version, dto.values);
    const { def, snapshot } = await this.flowOf(ctx, current);
    const directory = await this.directories.load(tx, auth.workspaceId);
    const event: FlowEvent =
      dto.event !== undefined
        ? { event: dto.event, ...(dto.comment !== undefined ? { comment: dto.comment } : {}) }
        : { to: dto.to ?? '', ...(dto.comment !== undefined ? { comment: dto.comment } : {}) };
    const result = transition(
      def,
      snapshot,
      event,
      this.flowContext(current, auth.memberId, directory),
    );
    if (!result.ok) throw refused(result.reasons);
    const after = await this.apply(ctx, current, auth, result, directory);
    return { ctx, record: after };
  }

  async available(
    auth: AuthContext,
    formId: string,
    recordId: string,
  ): Promise<AvailableTransition[]> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.records.context(tx, auth, formId, 'read');
      const current = await this.records.findVisible(ctx, auth, recordId);
      if (current.flowSnapshot === null) return [];
      const { def, snapshot } = await this.flowOf(ctx, current);
      const directory = await this.directories.load(tx, auth.workspaceId);
      const user = {
        id: auth.memberId,
        roles: directory.rolesOf(auth.memberId),
        managerChain: directory.managerChainOf(auth.memberId),
      };
      return availableTransitions(def, snapshot, recordData(current), user);
    });
  }

  /** An approval decision by one of its approvers (or the submitter: withdraw, resubmit). */
  async decide(auth: AuthContext, approvalId: string, dto: DecisionDto): Promise<RecordResponse> {
    return this.db.transaction(async (tx) => {
      const [approval] = await tx.query<{
        form_id: string;
        record_id: string;
        approval_key: string;
      }>(
        `SELECT form_id, record_id, approval_key FROM approval WHERE workspace_id = $1 AND id = $2`,
        [auth.workspaceId, approvalId],
      );
      if (approval === undefined) throw ApiError.notFound('Approval');
      const ctx = await this.records.context(tx, auth, approval.form_id, 'read');
      const current = await this.records.findVisible(
        { ...ctx, scope: { all: true } },
        auth,
        approval.record_id,
      );
      const { def, snapshot } = await this.flowOf(ctx, current);
      const directory = await this.directories.load(tx, auth.workspaceId);
      const decision: Decision =
        dto.kind === 'reassign' || dto.kind === 'addSigner'
          ? {
              kind: dto.kind,
              user: dto.user,
              approvalId: approval.approval_key,
              ...(dto.comment !== undefined ? { comment: dto.comment } : {}),
            }
          : {
              kind: dto.kind,
              approvalId: approval.approval_key,
              ...(dto.comment !== undefined ? { comment: dto.comment } : {}),
            };
      const result = decide(
        def,
        snapshot,
        decision,
        this.flowContext(current, auth.memberId, directory),
      );
      if (!result.ok) throw refused(result.reasons);
      const after = await this.apply(ctx, current, auth, result, directory, 'approval.decided');
      return presentRecord(ctx.form, after, ctx.access, auth);
    });
  }

  /**
   * Runs a due flow timer (called by the scheduler). Returns false when the
   * timer is stale (the record moved on), which is not an error.
   */
  async fire(
    sql: Sql,
    workspaceId: string,
    formId: string,
    recordId: string,
    timerKey: string,
    actor: Actor,
    now: string = new Date().toISOString(),
  ): Promise<boolean> {
    const ctx = await this.records.context(sql, { ...actor, isOwner: true }, formId, 'read');
    let current: StoredRecord;
    try {
      current = await this.records.findVisible(ctx, actor, recordId);
    } catch {
      return false;
    }
    if (current.flowSnapshot === null) return false;
    const { def, snapshot } = await this.flowOf(ctx, current);
    const directory = await this.directories.load(sql, workspaceId);
    const result = fireTimer(def, snapshot, timerKey, {
      ...this.flowContext(current, SYSTEM_ACTOR, directory),
      now,
    });
    if (!result.ok) {
      if (result.reasons.some((r) => r.code === 'TIMER_STALE' || r.code === 'TIMER_NOT_DUE'))
        return false;
      throw refused(result.reasons);
    }
    await this.apply(ctx, current, actor, result, directory);
    return true;
  }

  private async flowOf(
    ctx: WriteContext,
    record: StoredRecord,
  ): Promise<{ def: FlowDefinition; snapshot: FlowSnapshot }> {
    const snapshot = record.flowSnapshot as FlowSnapshot | null;
    if (snapshot === null)
      throw new ApiError('TRANSITION_REFUSED', 'This record has no flow', [
        { path: '', code: 'NO_FLOW', message: 'The form has no published flow for this record' },
      ]);
    return { def: await this.flows.forSnapshot(ctx.tx, ctx.form.id, snapshot.version), snapshot };
  }

  private flowContext(
    record: StoredRecord,
    memberId: string,
    directory: WorkspaceDirectory,
  ): FlowContext {
    return {
      now: new Date().toISOString(),
      user: {
        id: memberId,
        roles: directory.rolesOf(memberId),
        managerChain: directory.managerChainOf(memberId),
      },
      record: recordData(record),
      directory: {
        usersWithRole: (role) => directory.usersWithRole(role),
        managerChainOf: (id) => directory.managerChainOf(id),
      },
      calendar: CHINA_MAINLAND_CALENDAR_2026_2027,
    };
  }

  /** Stores a flow result: compare-and-set on the version, history, effects and the event. */
  private async apply(
    ctx: WriteContext,
    current: StoredRecord,
    actor: Actor,
    result: Ok,
    directory: WorkspaceDirectory,
    eventType?: 'record.created' | 'approval.decided',
  ): Promise<StoredRecord> {
    const { tx, store, form } = ctx;
    const params = new SqlParams();
    const sets: string[] = [
      `flow_snapshot = ${params.add(JSON.stringify(result.snapshot))}::jsonb`,
      'version = version + 1',
      'updated_at = now()',
    ];
    const changes: Array<{ field: string; from: unknown; to: unknown }> = [];
    for (const effect of result.effects) {
      if (effect.type !== 'setField') continue;
      if (effect.field === 'stage' || effect.field === 'stage_entered_at') {
        sets.push(
          `${effect.field} = ${params.add(effect.value)}${effect.field === 'stage' ? '::text' : '::timestamptz'}`,
        );
        if (effect.field === 'stage')
          changes.push({ field: 'stage', from: current.stage, to: effect.value });
        continue;
      }
      const storage = own(form.layout.fields, effect.field);
      if (storage?.storage !== 'column') continue;
      sets.push(
        `${q(storage.column)} = ${params.add(toDbParam(storage, effect.value))}::${storage.sqlType}`,
      );
      changes.push({
        field: effect.field,
        from: current.values[effect.field] ?? null,
        to: effect.value,
      });
    }
    // formulas over the fields the effects wrote (a sales cycle once closed_at is set)
    const written = Object.fromEntries(
      changes.filter((c) => c.field !== 'stage').map((c) => [c.field, c.to]),
    );
    if (Object.keys(written).length > 0) {
      const formulas = await this.records.formulasAfter(tx, form, current, written, actor);
      for (const [field, value] of Object.entries(formulas)) {
        const storage = own(form.layout.fields, field);
        if (storage?.storage !== 'column') continue;
        sets.push(
          `${q(storage.column)} = ${params.add(toDbParam(storage, value))}::${storage.sqlType}`,
        );
        changes.push({ field, from: current.values[field] ?? null, to: value });
      }
    }
    const updated = await tx.query(
      `UPDATE ${store.table} AS t SET ${sets.join(', ')} WHERE t.id = ${params.add(current.id)}::uuid AND t.version = ${params.add(current.version)}
       RETURNING ${store.selectList('t')}`,
      params.values,
    );
    if (updated[0] === undefined) {
      const [row] = await tx.query<{ version: number }>(
        `SELECT version FROM ${store.table} WHERE id = $1`,
        [current.id],
      );
      throw versionConflict(row?.version ?? current.version);
    }
    const [after = current] = await store.loadChildren(tx, [store.toRecord(updated[0])]);
    for (const entry of result.history) {
      await this.records.writeHistory(
        tx,
        form,
        after,
        actor,
        historyKind(entry),
        entry === result.history[result.history.length - 1] ? changes : [],
        entry,
      );
    }
    await this.effects.perform(tx, form, after, result.effects, directory, actor.memberId);
    if (eventType !== 'record.created') {
      const stageChange = changes.find((c) => c.field === 'stage');
      if (stageChange !== undefined)
        await this.records.emit(tx, form, after, actor, 'record.stage_changed', {
          from: stageChange.from,
          to: stageChange.to,
          changes,
        });
      if (eventType === 'approval.decided')
        await this.records.emit(tx, form, after, actor, 'approval.decided', {
          decisions: result.history.map((h) => ({
            decision: h.decision,
            by: h.by,
            comment: h.comment,
          })),
        });
    }
    return after;
  }
}

function recordData(record: StoredRecord): Record<string, unknown> {
  return {
    ...record.values,
    id: record.id,
    owner_id: record.ownerId,
    created_by: record.createdBy,
    created_at: record.createdAt,
    stage: record.stage,
    stage_entered_at: record.stageEnteredAt,
  };
}

function historyKind(entry: FlowHistoryEntry): string {
  return entry.kind === 'transition' || entry.kind === 'start'
    ? `flow.${entry.kind}`
    : `flow.${entry.kind}`;
}

/** A refused move: 403 when the user may not fire it, else 409 with every coded reason. */
export function refused(reasons: readonly Refusal[]): ApiError {
  const errors: ErrorDetail[] = reasons.flatMap((r): ErrorDetail[] =>
    r.code === 'MISSING_REQUIRED_FIELDS' && r.fields !== undefined
      ? r.fields.map((field) => ({
          path: `values.${field}`,
          code: r.code,
          message: r.message,
          field,
        }))
      : [
          {
            path: r.path ?? '',
            code: r.code,
            message: r.message,
            ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
            ...(r.guardMessage !== undefined ? { guardMessage: r.guardMessage } : {}),
            ...(r.fields !== undefined ? { fields: r.fields } : {}),
          },
        ],
  );
  if (
    reasons.every(
      (r) => r.code === 'NOT_ALLOWED' || r.code === 'NOT_AN_APPROVER' || r.code === 'NOT_SUBMITTER',
    )
  ) {
    return ApiError.forbidden(reasons[0]?.message ?? 'Not allowed', errors);
  }
  return new ApiError(
    'TRANSITION_REFUSED',
    reasons[0]?.message ?? 'The stage change is not possible',
    errors,
  );
}
