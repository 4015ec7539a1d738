import { Inject, Injectable } from '@nestjs/common';
import {
  matchRules,
  nextCronOccurrence,
  relativeDueAt,
  type RuleDefinition,
} from '@trellis/rule-engine';
import type { Logger } from 'pino';
import { APP_CONFIG, APP_LOGGER } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { FlowRunnerService } from '../flows/flow-runner.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import type { StoredRecord } from '../records/record-access.js';
import { RecordStore } from '../records/record-store.js';
import { RecordsService } from '../records/records.service.js';
import { classifyError } from './action-error.js';
import { systemActor } from './actors.js';
import { AutomationClock } from './automation-clock.js';
import { RelatedData } from './related-data.js';
import { JOB_BUS } from './automation.tokens.js';
import { JobBus, type LogicalJob } from './job-bus.js';
import { PgListener } from './pg-listener.service.js';
import { TIMERS_QUEUE, type TimerJob } from './queues.js';
import { recordData } from './record-data.js';
import { RuleCatalog, type StoredRule } from './rule-catalog.service.js';
import { explainCondition, RuleRunner, RunsFailedError } from './rule-runner.service.js';
import { RunExecutor, type RunTrigger } from './run-executor.service.js';

type TimerRow = {
  id: string;
  workspace_id: string;
  key: string;
  kind: 'flow' | 'rule' | 'cron';
  form_id: string | null;
  record_id: string | null;
  rule_id: string | null;
  due_at: Date;
  payload: Record<string, unknown>;
};

/** Timer firings are claimed for this long before another worker may take over a stuck one. */
const FIRING_LEASE_FACTOR = 5;

/**
 * Time-based automation. Timers live in PostgreSQL (scheduled_timer): flow
 * SLA timers written by flow effects, relative-time rule timers, and one row
 * per cron rule. The scheduler turns the ones due within a horizon into BullMQ
 * delayed jobs, at boot, periodically, and the moment a timer row commits
 * (pg_notify from a trigger), so a timer that came due while everything was
 * down fires once on restart. A job fires its timer only if it claims it
 * (UPDATE ... WHERE status = 'scheduled' RETURNING), so two workers, or a
 * delayed job and a catch-up job, never both fire it.
 */
@Injectable()
export class TimerService {
  private running = false;
  private interval: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private reconciling: Promise<void> | null = null;
  private readonly onAdvance = () => void this.reconcile().catch((e: unknown) => this.fail(e));

  constructor(
    private readonly db: DatabaseService,
    @Inject(JOB_BUS) private readonly bus: JobBus,
    private readonly listener: PgListener,
    private readonly catalog: RuleCatalog,
    private readonly forms: FormCatalogService,
    private readonly records: RecordsService,
    private readonly flowRunner: FlowRunnerService,
    private readonly runner: RuleRunner,
    private readonly runs: RunExecutor,
    private readonly clock: AutomationClock,
    private readonly related: RelatedData,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.listener.listen('trellis_timer', (payload) => {
      const [id, due] = payload.split(' ');
      const dueMs = Number(due);
      if (id === undefined || !Number.isFinite(dueMs)) return;
      if (dueMs <= this.clock.nowMs() + this.horizon())
        void this.publish(id, dueMs).catch((e: unknown) => this.fail(e));
    });
    this.listener.onReconnect(this.onAdvance);
    this.clock.on('advanced', this.onAdvance);
    this.interval = setInterval(this.onAdvance, this.config.automation.schedulerIntervalMs);
    this.interval.unref();
    await this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.interval !== null) clearInterval(this.interval);
    this.interval = null;
    this.clock.off('advanced', this.onAdvance);
    this.unlisten?.();
    this.unlisten = null;
    await this.reconciling?.catch(() => undefined);
  }

  /** Schedules what is due soon, recovers stuck firings and arms cron rules; coalesces concurrent calls. */
  reconcile(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.reconciling ??= this.reconcileOnce().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const nowMs = this.clock.nowMs();
    await this.armMissingCrons();
    const due = await this.db.query<{ id: string; due_ms: string }>(
      `SELECT id, floor(extract(epoch FROM due_at) * 1000)::bigint AS due_ms FROM scheduled_timer
        WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at LIMIT 5000`,
      [new Date(nowMs + this.horizon())],
    );
    for (const row of due) await this.publish(row.id, Number(row.due_ms));
    const lease = this.config.automation.lockMs * FIRING_LEASE_FACTOR;
    const stuck = await this.db.query<{
      id: string;
      claimed_by: string;
      due_ms: string;
      claimed_ms: string;
    }>(
      `SELECT id, claimed_by, floor(extract(epoch FROM due_at) * 1000)::bigint AS due_ms,
              floor(extract(epoch FROM claimed_at) * 1000)::bigint AS claimed_ms
         FROM scheduled_timer WHERE status = 'firing' AND claimed_at < now() - make_interval(secs => $1) LIMIT 500`,
      [lease / 1000],
    );
    for (const row of stuck) {
      this.logger.warn({ timer: row.id }, 're-queueing a timer whose firing was interrupted');
      await this.bus.publish(
        TIMERS_QUEUE,
        [
          {
            id: row.claimed_by,
            name: 'timer',
            data: { timerId: row.id, dueMs: Number(row.due_ms) },
          },
        ],
        { jobId: `${row.claimed_by}_rec${row.claimed_ms}` },
      );
    }
  }

  /** A delayed job for a future timer; an immediate catch-up job (another id) once it is due. */
  async publish(timerId: string, dueMs: number): Promise<void> {
    const delay = dueMs - this.clock.nowMs();
    const id = delay > 0 ? `timer_${timerId}_${dueMs}` : `timer_${timerId}_${dueMs}_due`;
    const job: LogicalJob<TimerJob> = { id, name: 'timer', data: { timerId, dueMs } };
    await this.bus.publish(TIMERS_QUEUE, [job], { delayMs: Math.max(0, delay), jobId: id });
  }

  /** Fires a timer if this job can claim it. */
  async fire(job: LogicalJob<TimerJob>, finalAttempt: boolean): Promise<void> {
    const now = this.clock.now();
    const [timer] = await this.db.query<TimerRow>(
      `UPDATE scheduled_timer SET status = 'firing', claimed_by = $2, claimed_at = now(), attempts = attempts + 1
        WHERE id = $1 AND due_at <= $3::timestamptz + interval '1 second'
          AND (status = 'scheduled' OR (status = 'firing' AND claimed_by = $2))
        RETURNING id, workspace_id, key, kind, form_id, record_id, rule_id, due_at, payload`,
      [job.data.timerId, job.id, now],
    );
    if (timer === undefined) return;
    const firedAt = new Date(Math.max(now.getTime(), timer.due_at.getTime())).toISOString();
    switch (timer.kind) {
      case 'flow':
        return this.fireFlow(timer, job.id, firedAt);
      case 'rule':
        return this.fireRule(timer, job.id, firedAt, finalAttempt);
      case 'cron':
        return this.fireCron(timer, job.id, firedAt, finalAttempt);
      default:
        await this.finish(timer.id, job.id, 'failed', `unknown timer kind ${String(timer.kind)}`);
    }
  }

  /** Out of attempts: the timer is failed (a cron rule is re-armed for its next tick). */
  async dead(job: LogicalJob<TimerJob>, error: unknown): Promise<void> {
    const failure = classifyError(error);
    const [timer] = await this.db.query<TimerRow>(
      `SELECT id, workspace_id, key, kind, form_id, record_id, rule_id, due_at, payload FROM scheduled_timer WHERE id = $1`,
      [job.data.timerId],
    );
    if (timer === undefined) return;
    if (timer.kind === 'rule') await this.runs.markDead(job.id, error);
    if (timer.kind === 'cron') {
      const rule = timer.rule_id === null ? null : await this.catalog.byId(timer.rule_id);
      if (rule !== null) {
        await this.rearmCron(timer, job.id, rule.definition, timer.due_at.toISOString());
        return;
      }
    }
    await this.finish(timer.id, job.id, 'failed', `${failure.code}: ${failure.message}`);
  }

  /** Arms (or re-arms after an edit) the timer of a schedule rule; cancels it when the rule is off. */
  async armCron(sql: Sql, rule: StoredRule): Promise<void> {
    const trigger = rule.definition.trigger;
    if (!rule.enabled || trigger.type !== 'schedule') {
      await sql.query(
        `UPDATE scheduled_timer SET status = 'cancelled' WHERE key = $1 AND status = 'scheduled'`,
        [cronKey(rule.id)],
      );
      return;
    }
    const next = nextCronOccurrence(trigger.cron, this.clock.now(), trigger.timeZone);
    await sql.query(
      `INSERT INTO scheduled_timer (workspace_id, key, kind, form_id, rule_id, due_at, payload)
       VALUES ($1, $2, 'cron', $3, $4, $5, $6)
       ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
         status = 'scheduled', claimed_by = NULL, claimed_at = NULL`,
      [
        rule.workspaceId,
        cronKey(rule.id),
        rule.formId,
        rule.id,
        next,
        JSON.stringify({ cron: trigger.cron, timeZone: trigger.timeZone }),
      ],
    );
  }

  private async armMissingCrons(): Promise<void> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT r.id FROM rule r WHERE r.enabled AND r.trigger_type = 'schedule'
          AND NOT EXISTS (SELECT 1 FROM scheduled_timer t WHERE t.key = 'cron_' || r.id::text AND t.status IN ('scheduled', 'firing'))
        LIMIT 500`,
    );
    for (const { id } of rows) {
      const rule = await this.catalog.byId(id);
      if (rule !== null) await this.armCron(this.db, rule);
    }
  }

  private async fireFlow(timer: TimerRow, claim: string, now: string): Promise<void> {
    const timerKey = timer.payload['timerKey'];
    if (timer.form_id === null || timer.record_id === null || typeof timerKey !== 'string') {
      await this.finish(timer.id, claim, 'failed', 'the flow timer has no record or key');
      return;
    }
    const actor = await systemActor(this.db, timer.workspace_id);
    if (actor === null) {
      await this.finish(timer.id, claim, 'failed', 'the workspace has no active owner');
      return;
    }
    try {
      await this.db.transaction(async (tx) => {
        const fired = await this.flowRunner.fire(
          tx,
          timer.workspace_id,
          timer.form_id as string,
          timer.record_id as string,
          timerKey,
          actor,
          now,
        );
        await tx.query(
          `UPDATE scheduled_timer SET status = 'fired', fired_at = now(), last_error = $3
            WHERE id = $1 AND claimed_by = $2 AND status = 'firing'`,
          [timer.id, claim, fired ? null : 'stale: the record moved on'],
        );
      });
    } catch (error) {
      const failure = classifyError(error);
      if (!failure.permanent) throw error;
      await this.finish(timer.id, claim, 'failed', `${failure.code}: ${failure.message}`);
    }
  }

  private async fireRule(
    timer: TimerRow,
    claim: string,
    now: string,
    finalAttempt: boolean,
  ): Promise<void> {
    const rule = timer.rule_id === null ? null : await this.catalog.byId(timer.rule_id);
    if (rule === null || !rule.enabled || rule.definition.trigger.type !== 'relative_time') {
      await this.finish(timer.id, claim, 'cancelled', 'the rule is gone or disabled');
      return;
    }
    const record = await this.loadRecord(rule, timer.record_id);
    if (record === null) {
      await this.finish(timer.id, claim, 'cancelled', 'the record is gone');
      return;
    }
    const data = await this.related.expand(rule, recordData(record), rule.definition);
    const calendar = await this.runner.calendarFor(rule.workspaceId, record.ownerId);
    const triggerKey = `timer_${timer.id}_${timer.due_at.getTime()}`;
    const result = matchRules(
      [rule.definition],
      { type: 'timer', form: rule.formKey, record: data, ruleId: rule.key, id: triggerKey },
      { now, calendar, timeZone: calendar.timeZone },
    );
    const trigger: RunTrigger = {
      kind: 'timer',
      eventType: 'timer',
      timerId: timer.id,
      dueAt: timer.due_at.toISOString(),
      depth: 0,
      record: data,
    };
    const match = result.matches[0];
    const error = result.errors[0];
    if (match !== undefined || error !== undefined) {
      const outcome = await this.runs.execute({
        rule,
        triggerKey,
        trigger,
        recordId: record.id,
        plan: match?.actions ?? null,
        explanation: match?.explanation ?? null,
        cascade: match?.cascade ?? { depth: 0, chain: [] },
        finalAttempt,
        ...(error !== undefined && match === undefined
          ? { error: { code: error.code.toUpperCase(), message: error.message } }
          : {}),
      });
      if (outcome.status === 'failed')
        throw new RunsFailedError(`the run of timer ${timer.id} failed; retrying`);
      await this.finish(timer.id, claim, 'fired', null);
      return;
    }
    // Not fired: the date moved later (reschedule), or the condition no longer holds (skip, logged).
    const dueAt = relativeDueAt(rule.definition, data, { calendar, timeZone: calendar.timeZone });
    if (dueAt !== null && Date.parse(dueAt) > Date.parse(now) + 1000) {
      await this.db.query(
        `UPDATE scheduled_timer SET status = 'scheduled', due_at = $3, claimed_by = NULL, claimed_at = NULL
          WHERE id = $1 AND claimed_by = $2 AND status = 'firing'`,
        [timer.id, claim, dueAt],
      );
      return;
    }
    await this.runs.skipped(
      rule,
      triggerKey,
      trigger,
      record.id,
      explainCondition(rule, data, { now, timeZone: calendar.timeZone, calendar }),
      dueAt === null
        ? `${rule.definition.trigger.field} is empty`
        : 'the condition no longer holds',
    );
    await this.finish(timer.id, claim, 'fired', 'condition no longer holds');
  }

  private async fireCron(
    timer: TimerRow,
    claim: string,
    now: string,
    finalAttempt: boolean,
  ): Promise<void> {
    const rule = timer.rule_id === null ? null : await this.catalog.byId(timer.rule_id);
    if (rule === null || !rule.enabled || rule.definition.trigger.type !== 'schedule') {
      await this.finish(
        timer.id,
        claim,
        'cancelled',
        'the rule is gone, disabled or not scheduled',
      );
      return;
    }
    const form = await this.forms.published(rule.workspaceId, rule.formId);
    const store = new RecordStore(form);
    const dueMs = timer.due_at.getTime();
    let last = '00000000-0000-0000-0000-000000000000';
    let transient = 0;
    for (;;) {
      const rows = await this.db.query(
        `SELECT ${store.selectList('t')} FROM ${store.table} t
          WHERE t.deleted_at IS NULL AND NOT t.is_draft AND t.id > $1 ORDER BY t.id LIMIT 500`,
        [last],
      );
      if (rows.length === 0) break;
      const page = await store.loadChildren(
        this.db,
        rows.map((row) => store.toRecord(row)),
      );
      for (const record of page) {
        const data = await this.related.expand(rule, recordData(record), rule.definition);
        const calendar = await this.runner.calendarFor(rule.workspaceId, record.ownerId);
        const triggerKey = `cron_${timer.id}_${dueMs}_${record.id}`;
        const result = matchRules(
          [rule.definition],
          { type: 'schedule', form: rule.formKey, record: data, ruleId: rule.key, id: triggerKey },
          { now, calendar, timeZone: calendar.timeZone },
        );
        const match = result.matches[0];
        if (match === undefined) continue;
        const outcome = await this.runs.execute({
          rule,
          triggerKey,
          trigger: {
            kind: 'schedule',
            eventType: 'schedule',
            timerId: timer.id,
            dueAt: timer.due_at.toISOString(),
            depth: 0,
            record: data,
          },
          recordId: record.id,
          plan: match.actions,
          explanation: match.explanation,
          cascade: match.cascade,
          finalAttempt,
        });
        if (outcome.status === 'failed') transient += 1;
      }
      last = (rows[rows.length - 1] as { id: string }).id;
      if (rows.length < 500) break;
    }
    if (transient > 0)
      throw new RunsFailedError(`${transient} run(s) of schedule ${rule.key} failed; retrying`);
    await this.rearmCron(timer, claim, rule.definition, now);
  }

  private async rearmCron(
    timer: TimerRow,
    claim: string,
    definition: RuleDefinition,
    after: string,
  ): Promise<void> {
    if (definition.trigger.type !== 'schedule') return;
    const next = nextCronOccurrence(definition.trigger.cron, after, definition.trigger.timeZone);
    await this.db.query(
      `UPDATE scheduled_timer SET status = 'scheduled', due_at = $3, claimed_by = NULL, claimed_at = NULL, fired_at = now()
        WHERE id = $1 AND claimed_by = $2 AND status = 'firing'`,
      [timer.id, claim, next],
    );
  }

  private async loadRecord(
    rule: StoredRule,
    recordId: string | null,
  ): Promise<StoredRecord | null> {
    if (recordId === null) return null;
    try {
      const form = await this.forms.published(rule.workspaceId, rule.formId);
      const record = await this.records.load(this.db, new RecordStore(form), recordId);
      return record.deletedAt === null && !record.isDraft ? record : null;
    } catch {
      return null;
    }
  }

  private async finish(
    timerId: string,
    claim: string,
    status: 'fired' | 'cancelled' | 'failed',
    note: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE scheduled_timer SET status = $3, fired_at = CASE WHEN $3 = 'fired' THEN now() ELSE fired_at END, last_error = $4
        WHERE id = $1 AND claimed_by = $2 AND status = 'firing'`,
      [timerId, claim, status, note],
    );
  }

  private horizon(): number {
    return Math.max(2 * this.config.automation.schedulerIntervalMs, 10 * 60_000);
  }

  private fail(error: unknown): void {
    if (this.running) this.logger.error({ err: error }, 'timer scheduler failed; will retry');
  }
}

export function cronKey(ruleId: string): string {
  return `cron_${ruleId}`;
}
