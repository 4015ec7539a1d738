import { Injectable } from '@nestjs/common';
import {
  type CascadeState,
  explain,
  matchRules,
  type MatchResult,
  type RecordData,
  RuleError,
  type RuleEvent,
  type WorkingCalendar,
} from '@trellis/rule-engine';
import { CalendarsService } from '../calendars/calendars.service.js';
import { DatabaseService } from '../database/database.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { RecordStore } from '../records/record-store.js';
import { AutomationClock } from './automation-clock.js';
import type { LogicalJob } from './job-bus.js';
import type { OutboxEventJob } from './queues.js';
import { eventBeforeData, eventRecordData } from './record-data.js';
import { RelatedData } from './related-data.js';
import { RuleCatalog, type StoredRule } from './rule-catalog.service.js';
import { RunExecutor, type RunTrigger } from './run-executor.service.js';

/** A transient run failure: the job is retried (with back-off) and then dead-lettered. */
export class RunsFailedError extends Error {}

const EVENT_TYPES: Record<
  string,
  'record_created' | 'record_updated' | 'record_deleted' | undefined
> = {
  'record.created': 'record_created',
  'record.updated': 'record_updated',
  'record.stage_changed': 'record_updated',
  'record.deleted': 'record_deleted',
};

/**
 * Processes one record event in a worker: loads the form's rules, asks
 * rule-engine's matchRules what fires (with the cascade state the event
 * carries), (re)schedules or cancels relative-time timers in PostgreSQL, and
 * runs each match through the RunExecutor. Runs already done for this event
 * are skipped; failed ones resume from their stored plan.
 */
@Injectable()
export class RuleRunner {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: RuleCatalog,
    private readonly forms: FormCatalogService,
    private readonly calendars: CalendarsService,
    private readonly runs: RunExecutor,
    private readonly clock: AutomationClock,
    private readonly related: RelatedData,
  ) {}

  async handleEvent(job: LogicalJob<OutboxEventJob>, finalAttempt: boolean): Promise<void> {
    const event = job.data;
    const type = EVENT_TYPES[event.type];
    if (type === undefined || event.formId === null || event.recordId === null) return;
    const rules = await this.catalog.forForm(event.formId);
    if (rules.length === 0) return;
    const formKey = rules[0]?.formKey ?? '';
    const first = rules[0];
    if (first === undefined) return;
    const record = await this.related.expand(
      first,
      eventRecordData(event, await this.systemFields(rules, event)),
      rules.map((r) => r.definition),
    );
    const ruleEvent: RuleEvent =
      type === 'record_updated'
        ? {
            type,
            form: formKey,
            record,
            before: eventBeforeData(event, record),
            id: event.eventId,
          }
        : { type, form: formKey, record, id: event.eventId };
    const chain = Array.isArray(event.payload['cascade'])
      ? (event.payload['cascade'] as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
    const cascade: CascadeState | undefined =
      event.depth > 0 ? { depth: event.depth, chain } : undefined;
    const calendar = await this.calendarFor(event.workspaceId, record['owner_id']);
    const trigger: RunTrigger = {
      kind: 'event',
      eventType: event.type,
      eventId: event.eventId,
      depth: event.depth,
      record,
      ...(ruleEvent.type === 'record_updated' ? { before: ruleEvent.before } : {}),
    };
    const byKey = new Map(rules.map((r) => [r.key, r]));

    let result: MatchResult;
    try {
      result = matchRules(
        rules.map((r) => r.definition),
        ruleEvent,
        {
          now: this.clock.iso(),
          calendar,
          timeZone: calendar.timeZone,
          ...(cascade !== undefined ? { cascade } : {}),
        },
      );
    } catch (error) {
      if (!(error instanceof RuleError) || error.code !== 'cascade_depth_exceeded') throw error;
      // Which rules would have fired: each gets a dead run naming the chain.
      const wouldFire = matchRules(
        rules.map((r) => r.definition),
        ruleEvent,
        { now: this.clock.iso(), calendar, timeZone: calendar.timeZone, explain: false },
      );
      for (const match of wouldFire.matches) {
        const rule = byKey.get(match.ruleId);
        if (rule === undefined) continue;
        await this.runs.execute({
          rule,
          triggerKey: event.eventId,
          trigger,
          recordId: event.recordId,
          plan: null,
          explanation: null,
          cascade: cascade ?? { depth: 0, chain: [] },
          error: { code: 'CASCADE_DEPTH_EXCEEDED', message: error.message },
        });
      }
      return;
    }

    await this.applyTimers(result, byKey, event);
    for (const failure of result.errors) {
      const rule = byKey.get(failure.ruleId);
      if (rule === undefined) continue;
      await this.runs.execute({
        rule,
        triggerKey: event.eventId,
        trigger,
        recordId: event.recordId,
        plan: null,
        explanation: null,
        cascade: cascade ?? { depth: 0, chain: [] },
        error: { code: failure.code.toUpperCase(), message: failure.message },
      });
    }
    let transient = 0;
    for (const match of result.matches) {
      const rule = byKey.get(match.ruleId);
      if (rule === undefined) continue;
      const outcome = await this.runs.execute({
        rule,
        triggerKey: event.eventId,
        trigger,
        recordId: event.recordId,
        plan: match.actions,
        explanation: match.explanation,
        cascade: match.cascade,
        finalAttempt,
      });
      if (outcome.status === 'failed') transient += 1;
    }
    // Runs that failed on an earlier attempt but no longer match now still finish.
    for (const pending of await this.pendingRuns(event.eventId, result)) {
      const rule = byKey.get(pending.key) ?? (await this.catalog.byId(pending.ruleId));
      if (rule === null) continue;
      const outcome = await this.runs.execute({
        rule,
        triggerKey: event.eventId,
        trigger,
        recordId: event.recordId,
        plan: null,
        explanation: null,
        cascade: cascade ?? { depth: 0, chain: [] },
        finalAttempt,
      });
      if (outcome.status === 'failed') transient += 1;
    }
    if (transient > 0)
      throw new RunsFailedError(`${transient} rule run(s) failed for event ${event.eventId}`);
  }

  /** The working calendar of the record owner's team (or the workspace's). */
  async calendarFor(workspaceId: string, ownerId: unknown): Promise<WorkingCalendar> {
    let teamId: string | null = null;
    if (typeof ownerId === 'string') {
      const [row] = await this.db.query<{ team_id: string | null }>(
        `SELECT team_id FROM member WHERE id = $1`,
        [ownerId],
      );
      teamId = row?.team_id ?? null;
    }
    return this.calendars.effective(workspaceId, teamId);
  }

  /** Upserts relative-time timers (a newer event wins over an older one) and cancels stale ones. */
  private async applyTimers(
    result: MatchResult,
    byKey: ReadonlyMap<string, StoredRule>,
    event: OutboxEventJob,
  ): Promise<void> {
    for (const timer of result.timers) {
      const rule = byKey.get(timer.ruleId);
      if (rule === undefined || typeof timer.recordId !== 'string') continue;
      await this.db.query(
        `INSERT INTO scheduled_timer (workspace_id, key, kind, form_id, record_id, rule_id, due_at, payload)
         VALUES ($1, $2, 'rule', $3, $4, $5, $6, $7)
         ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
           status = 'scheduled', claimed_by = NULL, claimed_at = NULL, fired_at = NULL, last_error = NULL
         WHERE coalesce((scheduled_timer.payload->>'seq')::bigint, 0) < (EXCLUDED.payload->>'seq')::bigint
           AND (scheduled_timer.status <> 'scheduled' OR scheduled_timer.due_at <> EXCLUDED.due_at)`,
        [
          rule.workspaceId,
          ruleTimerKey(rule.id, timer.recordId),
          rule.formId,
          timer.recordId,
          rule.id,
          timer.dueAt,
          JSON.stringify({ seq: event.seq, ruleKey: rule.key }),
        ],
      );
    }
    for (const cancel of result.cancelTimers) {
      const rule = byKey.get(cancel.ruleId);
      if (rule === undefined || typeof cancel.recordId !== 'string') continue;
      await this.db.query(
        `UPDATE scheduled_timer SET status = 'cancelled' WHERE key = $1 AND status = 'scheduled'`,
        [ruleTimerKey(rule.id, cancel.recordId)],
      );
    }
  }

  private async pendingRuns(
    eventId: string,
    result: MatchResult,
  ): Promise<Array<{ ruleId: string; key: string }>> {
    const matched = new Set([
      ...result.matches.map((m) => m.ruleId),
      ...result.errors.map((e) => e.ruleId),
    ]);
    const rows = await this.db.query<{ rule_id: string; key: string }>(
      `SELECT rr.rule_id, r.key FROM rule_run rr JOIN rule r ON r.id = rr.rule_id
        WHERE rr.trigger_key = $1 AND rr.status IN ('failed', 'running')`,
      [eventId],
    );
    return rows.filter((r) => !matched.has(r.key)).map((r) => ({ ruleId: r.rule_id, key: r.key }));
  }

  /** created_at and friends are not in update payloads; read them when a rule may need them. */
  private async systemFields(
    rules: readonly StoredRule[],
    event: OutboxEventJob,
  ): Promise<{
    created_at?: string;
    created_by?: string | null;
    stage_entered_at?: string | null;
  }> {
    // also on creation: the event's payload has no stage_entered_at, and timers counting from it
    // ("7 days in the same stage") are armed by the record.created event
    if (event.formId === null || event.recordId === null) return {};
    const needed = rules.some((r) => {
      const text = JSON.stringify(r.definition);
      return (
        text.includes('created_at') ||
        text.includes('created_by') ||
        text.includes('stage_entered_at')
      );
    });
    if (!needed) return {};
    const form = await this.forms.published(event.workspaceId, event.formId);
    const [row] = await this.db.query<{
      created_at: Date;
      created_by: string | null;
      stage_entered_at: Date | null;
    }>(
      `SELECT created_at, created_by, stage_entered_at FROM ${new RecordStore(form).table} WHERE id = $1`,
      [event.recordId],
    );
    if (row === undefined) return {};
    return {
      created_at: row.created_at.toISOString(),
      created_by: row.created_by,
      stage_entered_at: row.stage_entered_at?.toISOString() ?? null,
    };
  }
}

export function ruleTimerKey(ruleId: string, recordId: string): string {
  return `rule_${ruleId}_${recordId}`;
}

/** Why a rule did not fire for a record (for skipped runs and the test route). */
export function explainCondition(
  rule: StoredRule,
  record: RecordData,
  options: { now: string; timeZone: string; calendar: WorkingCalendar },
): ReturnType<typeof explain> | null {
  if (rule.definition.condition === null) return null;
  return explain(rule.definition.condition, record, options);
}
