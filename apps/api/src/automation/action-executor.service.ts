import { Inject, Injectable } from '@nestjs/common';
import {
  type CascadeState,
  evaluate,
  type JsonLogic,
  type RecordData,
  type ResolvedRuleAction,
  type RuleAction,
} from '@trellis/rule-engine';
import { pickText } from '../common/localized-text.js';
import { own } from '../common/own.js';
import { APP_CONFIG } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { FlowRunnerService } from '../flows/flow-runner.service.js';
import { FlowsService } from '../flows/flows.service.js';
import { WorkspaceDirectoryLoader } from '../flows/workspace-directory.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import { q } from '../forms/table-layout.js';
import { MailService } from '../mail/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { presentRecord, type StoredRecord } from '../records/record-access.js';
import { toDbParam } from '../records/record-codec.js';
import { RecordStore } from '../records/record-store.js';
import { type Actor, RecordsService, versionConflict } from '../records/records.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { ActionError } from './action-error.js';
import { loadActor } from './actors.js';
import { AutomationClock } from './automation-clock.js';
import { chooseOwner } from './owner-assignment.js';
import { interpolate, recordData, summaryOf } from './record-data.js';
import { recipientDetails, resolveTargets } from './recipients.js';
import { collapseRelations, collapseValue, RelatedData, relationIdOf } from './related-data.js';
import type { StoredRule } from './rule-catalog.service.js';

/** Everything an action needs to know about the run it belongs to. */
export type ActionContext = {
  readonly rule: StoredRule;
  readonly runId: string;
  readonly index: number;
  /** `${triggerKey}:${ruleId}:${index}`: unique per event, rule and action. */
  readonly idempotencyKey: string;
  /** The rule's author, with the cascade depth its changes carry. */
  readonly author: Actor;
  readonly cascade: CascadeState;
  readonly recordId: string | null;
  /** The record as the trigger saw it (for texts and webhook payloads). */
  readonly record: RecordData;
  /** The event type that started the run (record.created, timer, schedule ...). */
  readonly eventType: string;
};

export type ActionOutcome = {
  /** False when the ledger showed it was applied before (a redelivery or replay). */
  readonly applied: boolean;
  readonly result: Record<string, unknown>;
};

type Ledger = { result: Record<string, unknown> | null };

/**
 * Performs one resolved rule action, exactly once: the ledger row keyed by
 * (event, rule, action index) is inserted in the same transaction as the
 * action's effects, so a redelivered job, a retry or a replay finds it and
 * does nothing. Record changes go through RecordsService / FlowRunnerService
 * as the rule's author (their permissions apply); external effects (webhooks,
 * robots, e-mail) are written as deliveries in the same transaction and sent
 * after commit.
 */
@Injectable()
export class ActionExecutor {
  constructor(
    private readonly db: DatabaseService,
    private readonly records: RecordsService,
    private readonly catalog: FormCatalogService,
    private readonly flows: FlowsService,
    private readonly flowRunner: FlowRunnerService,
    private readonly directories: WorkspaceDirectoryLoader,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly clock: AutomationClock,
    private readonly related: RelatedData,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async perform(action: ResolvedRuleAction, c: ActionContext): Promise<ActionOutcome> {
    const outcome = await this.db.transaction(async (tx) => {
      const [claimed] = await tx.query<{ idempotency_key: string }>(
        `INSERT INTO action_execution (idempotency_key, workspace_id, rule_id, run_id, action_index, action_type)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
        [c.idempotencyKey, c.rule.workspaceId, c.rule.id, c.runId, c.index, action.type],
      );
      if (claimed === undefined) {
        const [previous] = await tx.query<Ledger>(
          `SELECT result FROM action_execution WHERE idempotency_key = $1`,
          [c.idempotencyKey],
        );
        return { applied: false, result: previous?.result ?? {} };
      }
      const result = await this.apply(tx, action, c);
      await tx.query(`UPDATE action_execution SET result = $2 WHERE idempotency_key = $1`, [
        c.idempotencyKey,
        JSON.stringify(result),
      ]);
      // Events our changes raised carry the cascade chain, so the next match can detect cycles.
      await tx.query(
        `UPDATE outbox_event SET payload = payload || jsonb_build_object('cascade', $1::jsonb)
          WHERE xmin = pg_current_xact_id()::xid AND type LIKE 'record.%'`,
        [JSON.stringify(c.cascade.chain)],
      );
      return { applied: true, result };
    });
    if (outcome.applied && this.config.automation.failpoint === 'crash-after-action-commit') {
      // Test only: die after the effect committed and before the job is acknowledged.
      process.kill(process.pid, 'SIGKILL');
    }
    return outcome;
  }

  private async apply(
    tx: Sql,
    action: ResolvedRuleAction,
    c: ActionContext,
  ): Promise<Record<string, unknown>> {
    switch (action.type) {
      case 'set_field':
        return this.setField(tx, c, action.field, collapseValue(action.value));
      case 'assign_owner':
        return this.assignOwner(tx, c, action);
      case 'create_record':
        return this.createRecord(tx, c, action.form, collapseRelations(action.values));
      case 'notify':
        return this.notify(tx, c, action);
      case 'escalate':
        return this.escalate(tx, c, action);
      case 'webhook':
        return this.webhook(tx, c, action.url);
      case 'transition_stage':
        return this.transitionStage(tx, c, action.stage);
      case 'return_to_pool':
        return this.returnToPool(tx, c, action);
    }
  }

  private requireRecord(c: ActionContext): string {
    if (c.recordId === null)
      throw new ActionError('NO_RECORD', 'This action needs a record, and the trigger has none');
    return c.recordId;
  }

  /**
   * `set_field` on the record, or on a related one with `relation.field` (the template's
   * "customer.status" from an opportunity or a contract). Fields the form marks read-only are
   * stamped by automations (first contact time, stalled flag, SLA breach): people may not type
   * them, so they are written directly, as the flow runner writes its own `setField` effects.
   */
  private async setField(
    tx: Sql,
    c: ActionContext,
    field: string,
    value: unknown,
  ): Promise<Record<string, unknown>> {
    const recordId = this.requireRecord(c);
    const dot = field.indexOf('.');
    if (dot < 0) return this.writeField(tx, c, c.rule.formId, recordId, field, value);
    const relationId = field.slice(0, dot);
    const target = field.slice(dot + 1);
    const ctx = await this.records.context(tx, c.author, c.rule.formId, 'read');
    const current = await this.records.findVisible(ctx, c.author, recordId);
    const relation = ctx.form.schema.fields.find((f) => f.id === relationId) as
      { type?: string; relation?: { formId?: string } } | undefined;
    const relatedFormKey = relation?.type === 'relation' ? relation.relation?.formId : undefined;
    if (relatedFormKey === undefined)
      throw new ActionError('FIELD_NOT_FOUND', `${relationId} is not a relation field of the form`);
    const [related] = await tx.query<{ id: string }>(
      `SELECT id FROM form WHERE app_id = $1 AND (key = $2 OR id::text = $2) AND published_version IS NOT NULL`,
      [c.rule.appId, relatedFormKey],
    );
    if (related === undefined)
      throw new ActionError('FORM_NOT_FOUND', `The app has no published form "${relatedFormKey}"`);
    const relatedId = relationIdOf(current.values[relationId]);
    if (relatedId === null) return { field, unchanged: true, reason: 'no related record' };
    return this.writeField(tx, c, related.id, relatedId, target, value);
  }

  private async writeField(
    tx: Sql,
    c: ActionContext,
    formId: string,
    recordId: string,
    field: string,
    value: unknown,
  ): Promise<Record<string, unknown>> {
    const ctx = await this.records.context(tx, c.author, formId, 'update');
    const current = await this.records.findVisible(ctx, c.author, recordId, { forUpdate: true });
    const definition = ctx.form.schema.fields.find((f) => f.id === field) as
      { readOnly?: unknown } | undefined;
    const storage = own(ctx.form.layout.fields, field);
    const stamped =
      definition?.readOnly !== undefined &&
      definition.readOnly !== false &&
      storage?.storage === 'column';
    if (!stamped) {
      const after = await this.records.change(ctx, c.author, recordId, current.version, {
        [field]: value,
      });
      return {
        field,
        from: current.values[field] ?? null,
        to: after.values[field] ?? null,
        version: after.version,
      };
    }
    const update = await tx.execute(
      `UPDATE ${ctx.store.table} SET ${q(storage.column)} = $3::${storage.sqlType}, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $2 AND deleted_at IS NULL`,
      [recordId, current.version, toDbParam(storage, value)],
    );
    if (update.affected !== 1) throw versionConflict(current.version);
    const after = await this.records.load(tx, ctx.store, recordId);
    const changes = [
      { field, from: current.values[field] ?? null, to: after.values[field] ?? null },
    ];
    await this.records.writeHistory(tx, ctx.form, after, c.author, 'update', changes, {
      automation: { ruleId: c.rule.id, action: 'set_field' },
    });
    await this.records.emit(tx, ctx.form, after, c.author, 'record.updated', {
      changes,
      previous: current.values,
    });
    return { field, from: changes[0]?.from, to: changes[0]?.to, version: after.version };
  }

  private async assignOwner(
    tx: Sql,
    c: ActionContext,
    action: Extract<ResolvedRuleAction, { type: 'assign_owner' }>,
  ): Promise<Record<string, unknown>> {
    const recordId = this.requireRecord(c);
    const ctx = await this.records.context(tx, c.author, c.rule.formId, 'update');
    const current = await this.records.findVisible(ctx, c.author, recordId, { forUpdate: true });
    const directory = await this.directories.load(tx, c.rule.workspaceId);
    const flow = await this.flows.currentFor(tx, c.rule.formId);
    const closedStages = (flow?.states ?? []).filter((s) => s.kind !== 'normal').map((s) => s.id);
    const chosen = await chooseOwner(tx, {
      action,
      directory,
      workspaceId: c.rule.workspaceId,
      ruleId: c.rule.id,
      actionIndex: c.index,
      table: ctx.store.table,
      closedStages,
    });
    if (chosen.ownerId === current.ownerId)
      return { ownerId: chosen.ownerId, strategy: action.strategy, unchanged: true, ...chosen.why };
    const after = await this.records.change(
      ctx,
      c.author,
      recordId,
      current.version,
      {},
      chosen.ownerId,
    );
    return {
      ownerId: after.ownerId,
      previousOwnerId: current.ownerId,
      strategy: action.strategy,
      ...chosen.why,
    };
  }

  private async createRecord(
    tx: Sql,
    c: ActionContext,
    formKey: string,
    rawValues: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const [target] = await tx.query<{ id: string }>(
      `SELECT id FROM form WHERE app_id = $1 AND key = $2 AND published_version IS NOT NULL`,
      [c.rule.appId, formKey],
    );
    if (target === undefined) {
      if (formKey === 'task') return this.createTasks(tx, c, rawValues);
      throw new ActionError(
        'FORM_NOT_FOUND',
        `The app has no published form "${formKey}" to create a record in`,
      );
    }
    const values = { ...rawValues };
    let ownerId: string | undefined;
    if (typeof values['owner_id'] === 'string') ownerId = values['owner_id'];
    delete values['owner_id'];
    if (ownerId !== undefined && !(await this.isActiveMember(tx, c.rule.workspaceId, ownerId)))
      throw new ActionError('UNKNOWN_MEMBER', `owner_id ${ownerId} is not an active member`);
    const ctx = await this.records.context(tx, c.author, target.id, 'create');
    const record = await this.records.insert(ctx, c.author, values, {
      ...(ownerId !== undefined ? { ownerId } : {}),
    });
    return { formId: target.id, formKey, recordId: record.id };
  }

  /** `create_record` with form "task": a work item in the built-in task list (My tasks). */
  private async createTasks(
    tx: Sql,
    c: ActionContext,
    values: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const title = typeof values['title'] === 'string' ? values['title'].trim() : '';
    if (title === '') throw new ActionError('TASK_TITLE_REQUIRED', 'A task needs a title');
    const directory = await this.directories.load(tx, c.rule.workspaceId);
    const current = c.recordId === null ? null : await this.currentRecord(tx, c);
    const assignees = new Set<string>();
    const add = (value: unknown) => {
      if (typeof value === 'string' && directory.isActive(value)) assignees.add(value);
    };
    const assignee = values['assignee'];
    if (Array.isArray(assignee)) assignee.forEach(add);
    else add(assignee);
    if (typeof values['assignee_role'] === 'string')
      for (const id of directory.usersWithRole(values['assignee_role'])) assignees.add(id);
    if (assignees.size === 0 && assignee === undefined && values['assignee_role'] === undefined) {
      add(current?.ownerId ?? null);
      if (assignees.size === 0) assignees.add(c.author.memberId);
    }
    if (assignees.size === 0)
      throw new ActionError('NO_ASSIGNEE', 'Nobody active matches the task assignee');
    const due = parseDue(values['due_at']);
    const description =
      typeof values['description'] === 'string' ? values['description'].slice(0, 5000) : null;
    const created: string[] = [];
    for (const member of [...assignees].sort()) {
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO task (workspace_id, app_id, form_id, record_id, title, description, assignee_member_id, due_at, source, idempotency_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'rule', $9, $10)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [
          c.rule.workspaceId,
          c.rule.appId,
          c.recordId === null ? null : c.rule.formId,
          c.recordId,
          title.slice(0, 500),
          description,
          member,
          due,
          `${c.idempotencyKey}:${member}`,
          c.author.memberId,
        ],
      );
      if (rows[0] !== undefined) created.push(rows[0].id);
    }
    return { taskIds: created, assignees: [...assignees].sort(), dueAt: due };
  }

  private async notify(
    tx: Sql,
    c: ActionContext,
    action: Extract<ResolvedRuleAction, { type: 'notify' }>,
  ): Promise<Record<string, unknown>> {
    const current = c.recordId === null ? null : await this.currentRecord(tx, c);
    const directory = await this.directories.load(tx, c.rule.workspaceId);
    const data =
      current === null
        ? c.record
        : await this.related.expand(c.rule, recordData(current.record), action, tx);
    const members = resolveTargets(action.to, directory, current?.ownerId ?? null);
    const recipients = await recipientDetails(tx, members);
    let sent = 0;
    for (const r of recipients) {
      const title = interpolate(pickText(action.title, r.locale), data);
      const body =
        action.body === undefined ? null : interpolate(pickText(action.body, r.locale), data);
      if (action.channel === 'in_app') {
        const added = await this.notifications.add(tx, {
          workspaceId: c.rule.workspaceId,
          memberId: r.memberId,
          kind: 'rule.notify',
          title,
          body,
          link: this.link(c),
          idempotencyKey: c.idempotencyKey,
        });
        if (added) sent += 1;
      } else {
        const summary = current === null ? '' : summaryOf(current.form, current.record.values);
        const queued = await this.mail.enqueue(tx, {
          workspaceId: c.rule.workspaceId,
          memberId: r.memberId,
          to: r.email,
          subject: title,
          body: [body ?? title, summary === '' ? '' : `\n${summary}`].join(''),
          idempotencyKey: `${c.idempotencyKey}:${r.memberId}`,
        });
        if (queued) sent += 1;
      }
    }
    return { channel: action.channel, recipients: members, sent };
  }

  private async escalate(
    tx: Sql,
    c: ActionContext,
    action: Extract<ResolvedRuleAction, { type: 'escalate' }>,
  ): Promise<Record<string, unknown>> {
    const current = c.recordId === null ? null : await this.currentRecord(tx, c);
    const directory = await this.directories.load(tx, c.rule.workspaceId);
    const members = resolveTargets([action.to], directory, current?.ownerId ?? null);
    if (members.length === 0)
      throw new ActionError(
        'NO_ESCALATION_TARGET',
        'Nobody to escalate to (the owner has no manager, or the target is not active)',
      );
    const recipients = await recipientDetails(tx, members);
    const data =
      current === null
        ? c.record
        : await this.related.expand(c.rule, recordData(current.record), action, tx);
    const summary = current === null ? '' : summaryOf(current.form, current.record.values);
    for (const r of recipients) {
      const en = r.locale.startsWith('en');
      const ruleName = pickText(c.rule.definition.name, r.locale);
      await this.notifications.add(tx, {
        workspaceId: c.rule.workspaceId,
        memberId: r.memberId,
        kind: 'rule.escalate',
        title: `${en ? 'Escalation' : '升级提醒'}：${ruleName}${summary === '' ? '' : ` · ${summary}`}`,
        body:
          action.message === undefined
            ? null
            : interpolate(pickText(action.message, r.locale), data),
        link: this.link(c),
        idempotencyKey: c.idempotencyKey,
      });
    }
    return { to: members, ownerId: current?.ownerId ?? null };
  }

  private async webhook(tx: Sql, c: ActionContext, url: string): Promise<Record<string, unknown>> {
    const endpoint = await this.webhooks.endpointByUrl(tx, c.rule.workspaceId, url);
    if (endpoint === null)
      throw new ActionError('UNKNOWN_WEBHOOK', `No webhook or robot is registered for ${url}`);
    if (!endpoint.enabled) return { endpointId: endpoint.id, skipped: 'the endpoint is disabled' };
    if (endpoint.owner_member_id === null)
      throw new ActionError('WEBHOOK_OWNER_GONE', 'The webhook has no owner any more');
    const owner = await loadActor(tx, endpoint.owner_member_id, 0);
    if (owner === null)
      throw new ActionError(
        'WEBHOOK_OWNER_GONE',
        'The webhook owner is no longer an active member',
      );
    let record: Record<string, unknown> | null = null;
    let form: PublishedForm | null = null;
    if (c.recordId !== null) {
      // What the webhook sends is what its owner may read: row scope, then field policy.
      const ctx = await this.records.context(tx, owner, c.rule.formId, 'read');
      const stored = await this.records.findVisible(ctx, owner, c.recordId, {
        includeDeleted: true,
      });
      const presented = presentRecord(ctx.form, stored, ctx.access, owner);
      record = presented as unknown as Record<string, unknown>;
      form = ctx.form;
    }
    const definition = c.rule.definition.actions[c.index] as RuleAction | undefined;
    const payloadLogic =
      definition?.type === 'webhook' ? (definition.payload ?? {}) : ({} as Record<string, never>);
    const visible = record === null ? {} : visibleData(record);
    const data: Record<string, unknown> = {};
    const timeZone = await this.records.timeZone(tx, c.rule.workspaceId);
    for (const [key, logic] of Object.entries(payloadLogic))
      data[key] = evaluate(logic as JsonLogic, visible, { now: this.clock.iso(), timeZone });
    const deliveryId = await this.webhooks.enqueue(tx, {
      workspaceId: c.rule.workspaceId,
      endpointId: endpoint.id,
      ruleId: c.rule.id,
      runId: c.runId,
      idempotencyKey: c.idempotencyKey,
      eventType: c.eventType,
      body: (id) => ({
        id,
        type: 'rule.webhook',
        event: c.eventType,
        occurredAt: this.clock.iso(),
        rule: {
          id: c.rule.id,
          key: c.rule.key,
          name: pickText(c.rule.definition.name, 'zh-CN'),
        },
        app: { id: c.rule.appId },
        form: form === null ? { id: c.rule.formId } : { id: form.id, key: form.key },
        record,
        data,
      }),
    });
    return { deliveryId, endpointId: endpoint.id, kind: endpoint.kind };
  }

  private async transitionStage(
    tx: Sql,
    c: ActionContext,
    stage: string,
  ): Promise<Record<string, unknown>> {
    const recordId = this.requireRecord(c);
    const current = await this.currentRecord(tx, c);
    if (current.record.stage === stage) return { stage, unchanged: true };
    const { record } = await this.flowRunner.transitionIn(tx, c.author, c.rule.formId, recordId, {
      to: stage,
    });
    return { from: current.record.stage, to: record.stage, version: record.version };
  }

  private async returnToPool(
    tx: Sql,
    c: ActionContext,
    action: Extract<ResolvedRuleAction, { type: 'return_to_pool' }>,
  ): Promise<Record<string, unknown>> {
    const recordId = this.requireRecord(c);
    const ctx = await this.records.context(tx, c.author, c.rule.formId, 'update');
    const current = await this.records.findVisible(ctx, c.author, recordId, { forUpdate: true });
    if (current.ownerId === null) return { unchanged: true, pool: action.pool ?? null };
    const update = await tx.execute(
      `UPDATE ${ctx.store.table} SET owner_id = NULL, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $2 AND deleted_at IS NULL`,
      [recordId, current.version],
    );
    if (update.affected !== 1) throw versionConflict(current.version);
    const after = await this.records.load(tx, ctx.store, recordId);
    const reason = action.reason === undefined ? null : pickText(action.reason, 'zh-CN');
    const changes = [{ field: 'owner_id', from: current.ownerId, to: null }];
    await this.records.writeHistory(tx, ctx.form, after, c.author, 'update', changes, {
      automation: { ruleId: c.rule.id, action: 'return_to_pool' },
      pool: action.pool ?? null,
      reason,
    });
    await this.records.emit(tx, ctx.form, after, c.author, 'record.updated', {
      changes,
      previous: current.values,
    });
    const summary = summaryOf(ctx.form, current.values);
    await this.notifications.add(tx, {
      workspaceId: c.rule.workspaceId,
      memberId: current.ownerId,
      kind: 'rule.return_to_pool',
      title: `已退回公海${summary === '' ? '' : `：${summary}`}`,
      body: reason,
      link: this.link(c),
      idempotencyKey: c.idempotencyKey,
    });
    return { previousOwnerId: current.ownerId, pool: action.pool ?? null, reason };
  }

  /** The record as it is now (owner, stage), read without a viewer's policy. */
  private async currentRecord(
    tx: Sql,
    c: ActionContext,
  ): Promise<{ form: PublishedForm; record: StoredRecord; ownerId: string | null }> {
    const recordId = this.requireRecord(c);
    const form = await this.catalog.published(c.rule.workspaceId, c.rule.formId, tx);
    const record = await this.records.load(tx, new RecordStore(form), recordId);
    return { form, record, ownerId: record.ownerId };
  }

  private link(c: ActionContext): Record<string, unknown> {
    return {
      appId: c.rule.appId,
      formId: c.rule.formId,
      ...(c.recordId === null ? {} : { recordId: c.recordId }),
      ruleId: c.rule.id,
    };
  }

  private async isActiveMember(tx: Sql, workspaceId: string, memberId: string): Promise<boolean> {
    const rows = await tx.query(
      `SELECT 1 FROM member WHERE workspace_id = $1 AND id = $2 AND status = 'active'`,
      [workspaceId, memberId],
    );
    return rows.length > 0;
  }
}

/** The presented record as rule data (what the webhook owner may see). */
function visibleData(presented: Record<string, unknown>): Record<string, unknown> {
  const values = (presented['values'] ?? {}) as Record<string, unknown>;
  return {
    ...values,
    id: presented['id'],
    owner_id: presented['ownerId'],
    stage: presented['stage'],
    created_at: presented['createdAt'],
    updated_at: presented['updatedAt'],
  };
}

function parseDue(value: unknown): string | null {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
