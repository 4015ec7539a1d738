import { Injectable } from '@nestjs/common';
import {
  evaluate,
  explain,
  matchRules,
  normalizeRuleDefinition,
  type RecordData,
  type RuleDefinition,
  RuleError,
  type RuleEvent,
  type NotifyTarget,
  truthy,
} from '@trellis/rule-engine';
import type { AuthContext } from '../auth/auth-context.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { FlowsService } from '../flows/flows.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { AutomationClock } from '../automation/automation-clock.js';
import {
  RULE_COLUMNS,
  rulesCacheKey,
  type StoredRule,
  toStoredRule,
} from '../automation/rule-catalog.service.js';
import { RuleRunner } from '../automation/rule-runner.service.js';
import { RunExecutor, type RunTrigger } from '../automation/run-executor.service.js';
import { TimerService } from '../automation/timer.service.js';
import type {
  ActionLogEntry,
  ReplayManyDto,
  RuleResponse,
  RuleRunResponse,
  RunListQuery,
  SaveRuleDto,
  TestRuleDto,
  TestRuleResponse,
} from './dto/rules.dto.js';

type RunRow = {
  id: string;
  rule_id: string;
  app_id: string;
  status: RuleRunResponse['status'];
  trigger: RunTrigger & Record<string, unknown>;
  trigger_key: string;
  record_id: string | null;
  explanation: unknown;
  plan: Array<Record<string, unknown>> | null;
  cascade: unknown;
  actions: ActionLogEntry[];
  error: { code: string; message: string } | null;
  attempts: number;
  started_at: Date;
  finished_at: Date | null;
};

const RUN_COLUMNS = `rr.id, rr.rule_id, rr.app_id, rr.status, rr.trigger, rr.trigger_key, rr.record_id, rr.explanation,
  rr.plan, rr.cascade, rr.actions, rr.error, rr.attempts, rr.started_at, rr.finished_at`;

const TASK_KEYS = new Set(['title', 'description', 'due_at', 'assignee', 'assignee_role']);
const ZERO_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Automation rules of an app: rule-engine definitions normalized and checked
 * against the app (forms, fields, stages, members, roles, registered
 * webhooks) with every issue located; a dry run that explains and lists the
 * actions without performing any; the run log, the failure inbox and replays.
 */
@Injectable()
export class RulesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
    private readonly forms: FormCatalogService,
    private readonly flows: FlowsService,
    private readonly runner: RuleRunner,
    private readonly runs: RunExecutor,
    private readonly timers: TimerService,
    private readonly clock: AutomationClock,
  ) {}

  async list(auth: AuthContext, appId: string): Promise<RuleResponse[]> {
    await this.assertApp(this.db, auth.workspaceId, appId);
    const rows = await this.db.query<Parameters<typeof toStoredRule>[0]>(
      `SELECT ${RULE_COLUMNS} FROM rule r JOIN form f ON f.id = r.form_id
        WHERE r.workspace_id = $1 AND r.app_id = $2 ORDER BY r.created_at, r.id`,
      [auth.workspaceId, appId],
    );
    return rows.map((r) => present(toStoredRule(r)));
  }

  async get(auth: AuthContext, appId: string, ruleId: string): Promise<RuleResponse> {
    const rule = await this.rule(this.db, auth.workspaceId, ruleId);
    if (rule.appId !== appId) throw ApiError.notFound('Rule');
    return present(rule);
  }

  async create(
    auth: AuthContext,
    appId: string,
    dto: SaveRuleDto,
    /** An open transaction to save in (a template import saves every rule in one). */
    sql?: Sql,
  ): Promise<RuleResponse> {
    const saved =
      sql === undefined
        ? await this.db.transaction((tx) => this.insert(tx, auth, appId, dto))
        : await this.insert(sql, auth, appId, dto);
    this.cache.drop(['rules:*']);
    return present(saved);
  }

  private async insert(
    tx: Sql,
    auth: AuthContext,
    appId: string,
    dto: SaveRuleDto,
  ): Promise<StoredRule> {
    await this.assertApp(tx, auth.workspaceId, appId);
    const { rule, formId } = await this.check(tx, auth, appId, dto.definition);
    let id: string;
    try {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO rule (workspace_id, app_id, form_id, key, definition, enabled, trigger_type, author_member_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          auth.workspaceId,
          appId,
          formId,
          rule.id,
          JSON.stringify(rule),
          rule.enabled,
          rule.trigger.type,
          auth.memberId,
        ],
      );
      if (row === undefined) throw new Error('rule insert returned nothing');
      id = row.id;
    } catch (error) {
      throw duplicateKey(error, rule.id);
    }
    const stored = await this.rule(tx, auth.workspaceId, id);
    await this.timers.armCron(tx, stored);
    await this.cache.invalidate(tx, [rulesCacheKey(formId)]);
    return stored;
  }

  async update(
    auth: AuthContext,
    appId: string,
    ruleId: string,
    dto: SaveRuleDto,
  ): Promise<RuleResponse> {
    const saved = await this.db.transaction(async (tx) => {
      const current = await this.rule(tx, auth.workspaceId, ruleId, true);
      if (current.appId !== appId) throw ApiError.notFound('Rule');
      if (dto.version !== undefined && dto.version !== current.version)
        throw new ApiError('VERSION_CONFLICT', 'Someone else changed this rule; reload it', [
          {
            path: 'version',
            code: 'STALE_VERSION',
            message: `The rule is at version ${current.version}`,
          },
        ]);
      const { rule, formId } = await this.check(tx, auth, appId, dto.definition);
      try {
        await tx.query(
          `UPDATE rule SET form_id = $2, key = $3, definition = $4, enabled = $5, trigger_type = $6,
                  author_member_id = $7, version = version + 1, updated_at = now() WHERE id = $1`,
          [
            ruleId,
            formId,
            rule.id,
            JSON.stringify(rule),
            rule.enabled,
            rule.trigger.type,
            auth.memberId,
          ],
        );
      } catch (error) {
        throw duplicateKey(error, rule.id);
      }
      const triggerChanged =
        JSON.stringify(current.definition.trigger) !== JSON.stringify(rule.trigger) ||
        current.formId !== formId;
      if (!rule.enabled || triggerChanged)
        await tx.query(
          `UPDATE scheduled_timer SET status = 'cancelled' WHERE rule_id = $1 AND kind = 'rule' AND status = 'scheduled'`,
          [ruleId],
        );
      const stored = await this.rule(tx, auth.workspaceId, ruleId);
      await this.timers.armCron(tx, stored);
      await this.cache.invalidate(tx, [rulesCacheKey(formId), rulesCacheKey(current.formId)]);
      return stored;
    });
    this.cache.drop(['rules:*']);
    return present(saved);
  }

  async remove(auth: AuthContext, appId: string, ruleId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await this.rule(tx, auth.workspaceId, ruleId, true);
      if (current.appId !== appId) throw ApiError.notFound('Rule');
      await tx.query(
        `UPDATE scheduled_timer SET status = 'cancelled' WHERE rule_id = $1 AND status = 'scheduled'`,
        [ruleId],
      );
      await tx.query(`DELETE FROM rule WHERE id = $1`, [ruleId]);
      await this.cache.invalidate(tx, [rulesCacheKey(current.formId)]);
    });
    this.cache.drop(['rules:*']);
  }

  /** A dry run: what the rule would do with this record, performing nothing. */
  async test(auth: AuthContext, ruleId: string, dto: TestRuleDto): Promise<TestRuleResponse> {
    const rule = await this.rule(this.db, auth.workspaceId, ruleId);
    const def = rule.definition;
    const record: RecordData = { id: ZERO_ID, ...dto.record };
    const eventType = dto.event ?? defaultEvent(def);
    const event = ruleEvent(eventType, def, record, dto.before ?? record, 'test');
    const now = dto.now ?? this.clock.iso();
    const calendar = await this.runner.calendarFor(auth.workspaceId, record['owner_id']);
    const options = { now, calendar, timeZone: calendar.timeZone };
    const errors: TestRuleResponse['errors'] = [];
    const enabled = { ...def, enabled: true };
    let matched = false;
    let triggered = false;
    let actions: Array<Record<string, unknown>> = [];
    let timers: TestRuleResponse['timers'] = [];
    try {
      const result = matchRules([enabled], event, options);
      matched = result.matches.length > 0;
      actions = (result.matches[0]?.actions ?? []) as unknown as Array<Record<string, unknown>>;
      timers = result.timers.map((t) => ({ key: t.key, dueAt: t.dueAt }));
      errors.push(
        ...result.errors.map((e) => ({ code: e.code, message: e.message, path: e.path })),
      );
      triggered =
        matchRules([{ ...enabled, condition: null }], event, { ...options, explain: false }).matches
          .length > 0;
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      errors.push({ code: error.code, message: error.message, path: error.path });
    }
    let conditionHolds: boolean | null = null;
    let explanation: unknown = null;
    if (def.condition !== null) {
      try {
        const opts = {
          ...options,
          ...(event.type === 'record_updated' ? { before: event.before } : {}),
        };
        conditionHolds = truthy(evaluate(def.condition, record, opts));
        explanation = explain(def.condition, record, opts);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        errors.push({ code: error.code, message: error.message, path: `condition.${error.path}` });
      }
    }
    return {
      event: eventType,
      triggered,
      matched,
      conditionHolds,
      explanation,
      actions,
      timers,
      errors,
    };
  }

  async runsOf(auth: AuthContext, ruleId: string, query: RunListQuery): Promise<RuleRunResponse[]> {
    await this.rule(this.db, auth.workspaceId, ruleId);
    const rows = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM rule_run rr
        WHERE rr.workspace_id = $1 AND rr.rule_id = $2 AND ($3::text IS NULL OR rr.status = $3)
        ORDER BY rr.started_at DESC, rr.id DESC LIMIT $4`,
      [auth.workspaceId, ruleId, query.status ?? null, query.limit ?? 50],
    );
    return rows.map(presentRun);
  }

  async failures(auth: AuthContext, appId: string): Promise<RuleRunResponse[]> {
    await this.assertApp(this.db, auth.workspaceId, appId);
    const rows = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM rule_run rr
        WHERE rr.workspace_id = $1 AND rr.app_id = $2 AND rr.status IN ('failed', 'dead')
        ORDER BY rr.started_at DESC, rr.id DESC LIMIT 200`,
      [auth.workspaceId, appId],
    );
    return rows.map(presentRun);
  }

  async run(auth: AuthContext, runId: string): Promise<RuleRunResponse> {
    return presentRun(await this.runRow(auth.workspaceId, runId));
  }

  /** Runs a stored run again; its actions keep their idempotency keys, so what was applied is not applied twice. */
  async replay(auth: AuthContext, runId: string): Promise<RuleRunResponse> {
    const row = await this.runRow(auth.workspaceId, runId);
    const rule = await this.rule(this.db, auth.workspaceId, row.rule_id);
    let plan = row.plan as RuleRunResponseplan;
    let explanation: unknown = row.explanation;
    if (plan === null) {
      // Failed before planning (a cascade error): match the stored record again, outside any cascade.
      const def = { ...rule.definition, enabled: true };
      const eventType =
        row.trigger.kind === 'event' ? eventTypeOf(row.trigger.eventType) : row.trigger.kind;
      const event = ruleEvent(
        eventType,
        def,
        row.trigger.record,
        row.trigger.before ?? row.trigger.record,
        row.trigger_key,
      );
      const calendar = await this.runner.calendarFor(
        auth.workspaceId,
        row.trigger.record['owner_id'],
      );
      const result = matchRules([def], event, {
        now: this.clock.iso(),
        calendar,
        timeZone: calendar.timeZone,
      });
      const match = result.matches[0];
      if (match === undefined) {
        throw new ApiError(
          'CONFLICT',
          'The rule no longer matches the stored record; nothing to replay',
          [
            {
              path: 'runId',
              code: 'NO_MATCH',
              message: 'The condition does not hold for this record now',
            },
          ],
        );
      }
      plan = match.actions as unknown as Array<Record<string, unknown>>;
      explanation = match.explanation;
      await this.db.query(`UPDATE rule_run SET plan = $2, explanation = $3 WHERE id = $1`, [
        row.id,
        JSON.stringify(plan),
        explanation === null ? null : JSON.stringify(explanation),
      ]);
    }
    await this.runs.execute({
      rule,
      triggerKey: row.trigger_key,
      trigger: row.trigger,
      recordId: row.record_id,
      plan: plan as unknown as Parameters<RunExecutor['execute']>[0]['plan'],
      explanation: explanation as Parameters<RunExecutor['execute']>[0]['explanation'],
      cascade: { depth: 0, chain: [] },
      replay: true,
    });
    return this.run(auth, runId);
  }

  async replayMany(auth: AuthContext, dto: ReplayManyDto): Promise<RuleRunResponse[]> {
    let ids: string[];
    if (dto.runIds !== undefined) {
      ids = dto.runIds;
      const found = await this.db.query<{ id: string }>(
        `SELECT id FROM rule_run WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        [auth.workspaceId, ids],
      );
      if (found.length !== new Set(ids).size) throw ApiError.notFound('Rule run');
    } else {
      await this.rule(this.db, auth.workspaceId, dto.ruleId ?? '');
      ids = (
        await this.db.query<{ id: string }>(
          `SELECT id FROM rule_run WHERE workspace_id = $1 AND rule_id = $2 AND status IN ('failed', 'dead')
            ORDER BY started_at LIMIT 100`,
          [auth.workspaceId, dto.ruleId],
        )
      ).map((r) => r.id);
    }
    const out: RuleRunResponse[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        out.push(await this.replay(auth, id));
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'CONFLICT') throw error;
        out.push(await this.run(auth, id));
      }
    }
    return out;
  }

  private async runRow(workspaceId: string, runId: string): Promise<RunRow> {
    const [row] = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM rule_run rr WHERE rr.workspace_id = $1 AND rr.id = $2`,
      [workspaceId, runId],
    );
    if (row === undefined) throw ApiError.notFound('Rule run');
    return row;
  }

  private async rule(sql: Sql, workspaceId: string, id: string, lock = false): Promise<StoredRule> {
    const [row] = await sql.query<Parameters<typeof toStoredRule>[0]>(
      `SELECT ${RULE_COLUMNS} FROM rule r JOIN form f ON f.id = r.form_id
        WHERE r.workspace_id = $1 AND r.id = $2${lock ? ' FOR UPDATE OF r' : ''}`,
      [workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Rule');
    return toStoredRule(row);
  }

  private async assertApp(sql: Sql, workspaceId: string, appId: string): Promise<void> {
    const rows = await sql.query(`SELECT 1 FROM app WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      appId,
    ]);
    if (rows.length === 0) throw ApiError.notFound('App');
  }

  /** Normalizes a definition and checks it against the app; throws every issue at once, located under `definition`. */
  private async check(
    tx: Sql,
    auth: AuthContext,
    appId: string,
    raw: Record<string, unknown>,
  ): Promise<{ rule: RuleDefinition; formId: string }> {
    const issues: ErrorDetail[] = [];
    const add = (path: string, code: string, message: string) =>
      issues.push({ path: path === '' ? 'definition' : `definition.${path}`, code, message });
    const appForms = await tx.query<{ id: string; key: string; published_version: number | null }>(
      `SELECT id, key, published_version FROM form WHERE workspace_id = $1 AND app_id = $2`,
      [auth.workspaceId, appId],
    );
    const formKey = typeof raw['form'] === 'string' ? raw['form'] : null;
    const form = appForms.find((f) => f.key === formKey);
    let fields: string[] | undefined;
    if (formKey !== null && form === undefined)
      add('form', 'UNKNOWN_FORM', `The app has no form "${formKey}"`);
    else if (form !== undefined && form.published_version === null)
      add('form', 'FORM_NOT_PUBLISHED', `Publish the form "${form.key}" before adding rules to it`);
    else if (form !== undefined)
      fields = (await this.forms.published(auth.workspaceId, form.id, tx)).schema.fields.map(
        (f) => f.id,
      );
    const normalized = normalizeRuleDefinition(raw, fields === undefined ? {} : { fields });
    for (const issue of normalized.issues ?? [])
      add(issue.path, issue.code.toUpperCase(), issue.message);
    const rule = normalized.rule;
    if (rule === undefined || form === undefined || issues.length > 0)
      throw ApiError.validation(issues, 'The rule has problems');

    const flow = await this.flows.currentFor(tx, form.id);
    const stages = new Set((flow?.states ?? []).map((s) => s.id));
    const checkStage = (path: string, stage: string) => {
      if (flow === null) add(path, 'NO_FLOW', `The form "${form.key}" has no published flow`);
      else if (!stages.has(stage)) add(path, 'UNKNOWN_STAGE', `The flow has no stage "${stage}"`);
    };
    if (rule.trigger.type === 'stage_entered' || rule.trigger.type === 'stage_left')
      checkStage('trigger.stage', rule.trigger.stage);
    const members = new Set(
      (
        await tx.query<{ id: string }>(
          `SELECT id FROM member WHERE workspace_id = $1 AND status = 'active'`,
          [auth.workspaceId],
        )
      ).map((m) => m.id),
    );
    const roles = new Set(
      (
        await tx.query<{ key: string }>(`SELECT key FROM role WHERE workspace_id = $1`, [
          auth.workspaceId,
        ])
      ).map((r) => r.key),
    );
    const checkTarget = (path: string, target: NotifyTarget) => {
      if (target.type === 'user' && !members.has(target.userId))
        add(`${path}.userId`, 'UNKNOWN_MEMBER', `No active member ${target.userId}`);
      if (target.type === 'role' && !roles.has(target.role))
        add(`${path}.role`, 'UNKNOWN_ROLE', `No role "${target.role}" in this workspace`);
    };
    for (const [i, action] of rule.actions.entries()) {
      const at = `actions.${i}`;
      switch (action.type) {
        case 'assign_owner':
          if (action.strategy === 'fixed' && !members.has(action.userId))
            add(`${at}.userId`, 'UNKNOWN_MEMBER', `No active member ${action.userId}`);
          if (action.strategy === 'round_robin' || action.strategy === 'least_open') {
            for (const [j, user] of (action.pool.users ?? []).entries())
              if (!members.has(user))
                add(`${at}.pool.users.${j}`, 'UNKNOWN_MEMBER', `No active member ${user}`);
            if (action.pool.role !== undefined && !roles.has(action.pool.role))
              add(`${at}.pool.role`, 'UNKNOWN_ROLE', `No role "${action.pool.role}"`);
            if (action.pool.team !== undefined) {
              const teams = await tx.query(
                `SELECT 1 FROM team WHERE workspace_id = $1 AND (id::text = $2 OR name = $2)`,
                [auth.workspaceId, action.pool.team],
              );
              if (teams.length === 0)
                add(`${at}.pool.team`, 'UNKNOWN_TEAM', `No team "${action.pool.team}"`);
            }
          }
          break;
        case 'create_record': {
          const target = appForms.find((f) => f.key === action.form);
          if (target === undefined && action.form !== 'task') {
            add(`${at}.form`, 'UNKNOWN_FORM', `The app has no form "${action.form}"`);
          } else if (target === undefined) {
            for (const key of Object.keys(action.values))
              if (!TASK_KEYS.has(key))
                add(
                  `${at}.values.${key}`,
                  'UNKNOWN_FIELD',
                  `A task has ${[...TASK_KEYS].join(', ')}`,
                );
            if (action.values['title'] === undefined)
              add(`${at}.values.title`, 'REQUIRED', 'A task needs a title');
          } else if (target.published_version === null) {
            add(`${at}.form`, 'FORM_NOT_PUBLISHED', `The form "${action.form}" is not published`);
          } else {
            const targetFields = new Set(
              (await this.forms.published(auth.workspaceId, target.id, tx)).schema.fields.map(
                (f) => f.id,
              ),
            );
            for (const key of Object.keys(action.values))
              if (key !== 'owner_id' && !targetFields.has(key))
                add(
                  `${at}.values.${key}`,
                  'UNKNOWN_FIELD',
                  `"${action.form}" has no field "${key}"`,
                );
          }
          break;
        }
        case 'notify':
          action.to.forEach((t, j) => checkTarget(`${at}.to.${j}`, t));
          break;
        case 'escalate':
          checkTarget(`${at}.to`, action.to);
          break;
        case 'webhook': {
          const endpoint = await tx.query(
            `SELECT 1 FROM webhook_endpoint WHERE workspace_id = $1 AND url = $2`,
            [auth.workspaceId, action.url],
          );
          if (endpoint.length === 0)
            add(
              `${at}.url`,
              'UNKNOWN_WEBHOOK',
              'Register this URL as a webhook or robot first (POST /api/webhooks)',
            );
          break;
        }
        case 'transition_stage':
          checkStage(`${at}.stage`, action.stage);
          break;
        default:
          break;
      }
    }
    if (issues.length > 0) throw ApiError.validation(issues, 'The rule has problems');
    return { rule, formId: form.id };
  }
}

type RuleRunResponseplan = Array<Record<string, unknown>> | null;

function defaultEvent(def: RuleDefinition): TestRuleResponse['event'] & RuleEvent['type'] {
  switch (def.trigger.type) {
    case 'record_created':
      return 'record_created';
    case 'record_deleted':
      return 'record_deleted';
    case 'schedule':
      return 'schedule';
    case 'relative_time':
      return 'timer';
    case 'stage_entered':
    case 'stage_left':
    case 'record_updated':
      return 'record_updated';
  }
}

function eventTypeOf(outboxType: string): RuleEvent['type'] {
  if (outboxType === 'record.created') return 'record_created';
  if (outboxType === 'record.deleted') return 'record_deleted';
  return 'record_updated';
}

function ruleEvent(
  type: string,
  def: RuleDefinition,
  record: RecordData,
  before: RecordData,
  id: string,
): RuleEvent {
  switch (type) {
    case 'record_updated':
      return { type, form: def.form, record, before, id };
    case 'record_deleted':
    case 'record_created':
      return { type, form: def.form, record, id };
    case 'schedule':
    case 'timer':
      return { type, form: def.form, record, ruleId: def.id, id };
    default:
      return { type: 'record_created', form: def.form, record, id };
  }
}

function present(rule: StoredRule): RuleResponse {
  return {
    id: rule.id,
    appId: rule.appId,
    formId: rule.formId,
    key: rule.key,
    name: rule.definition.name,
    enabled: rule.enabled,
    triggerType: rule.definition.trigger.type,
    definition: rule.definition as unknown as Record<string, unknown>,
    authorMemberId: rule.authorMemberId,
    version: rule.version,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

function presentRun(row: RunRow): RuleRunResponse {
  return {
    id: row.id,
    ruleId: row.rule_id,
    appId: row.app_id,
    status: row.status,
    trigger: row.trigger,
    recordId: row.record_id,
    explanation: row.explanation,
    plan: row.plan,
    actions: row.actions,
    error: row.error,
    attempts: row.attempts,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

function duplicateKey(error: unknown, key: string): unknown {
  const pg = error as { code?: string };
  if (pg.code === '23505')
    return new ApiError('CONFLICT', `Another rule of this app already has the id "${key}"`, [
      { path: 'definition.id', code: 'DUPLICATE_RULE_ID', message: `"${key}" is taken` },
    ]);
  return error;
}
