import { Inject, Injectable } from '@nestjs/common';
import type {
  CascadeState,
  ExplainNode,
  RecordData,
  ResolvedRuleAction,
} from '@trellis/rule-engine';
import type { Logger } from 'pino';
import { pickText } from '../common/localized-text.js';
import { APP_LOGGER } from '../common/tokens.js';
import { DatabaseService } from '../database/database.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { ActionLogEntry } from '../rules/dto/rules.dto.js';
import { ActionExecutor } from './action-executor.service.js';
import { classifyError } from './action-error.js';
import { loadActor } from './actors.js';
import { appAdmins } from './recipients.js';
import type { StoredRule } from './rule-catalog.service.js';

/** What started a run, as stored in its log (enough to replay it). */
export type RunTrigger = {
  readonly kind: 'event' | 'timer' | 'schedule';
  readonly eventType: string;
  readonly eventId?: string;
  readonly timerId?: string;
  readonly dueAt?: string;
  readonly depth: number;
  readonly record: RecordData;
  readonly before?: RecordData;
};

export type RunInput = {
  readonly rule: StoredRule;
  /** Unique per rule: the event id, or the timer firing. */
  readonly triggerKey: string;
  readonly trigger: RunTrigger;
  readonly recordId: string | null;
  readonly plan: readonly ResolvedRuleAction[] | null;
  readonly explanation: ExplainNode | null;
  readonly cascade: CascadeState;
  /** A failure found before any action (a cascade cycle or depth error). */
  readonly error?: { code: string; message: string };
  /** Replays re-run dead and failed runs (and are a no-op for succeeded ones). */
  readonly replay?: boolean;
  /** The last attempt of the job: a transient failure is final too. */
  readonly finalAttempt?: boolean;
};

export type RunOutcome = {
  readonly runId: string | null;
  readonly status: 'succeeded' | 'failed' | 'dead' | 'skipped' | 'already_done';
};

type RunRow = {
  id: string;
  plan: ResolvedRuleAction[] | null;
  cascade: CascadeState | null;
  status: string;
};

/**
 * Runs one matched rule and keeps its log: trigger, explanation, the plan
 * (resolved actions), each action's result and timing. Actions run in order,
 * each exactly once (see ActionExecutor); the first failure stops the run. A
 * transient failure leaves the run `failed` and is retried with the job; a
 * permanent one (or the last attempt) makes it `dead`, puts it in the app's
 * failure inbox and notifies the app's admins. A retried or replayed run uses
 * the plan it stored, so it performs the same actions under the same keys.
 */
@Injectable()
export class RunExecutor {
  constructor(
    private readonly db: DatabaseService,
    private readonly actions: ActionExecutor,
    private readonly notifications: NotificationsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(input: RunInput): Promise<RunOutcome> {
    const { rule } = input;
    const [row] = await this.db.query<RunRow>(
      `INSERT INTO rule_run (workspace_id, app_id, rule_id, trigger_key, trigger, record_id, status, explanation, plan, cascade)
       VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9)
       ON CONFLICT (rule_id, trigger_key) DO UPDATE SET attempts = rule_run.attempts + 1, status = 'running', finished_at = NULL
         WHERE rule_run.status = ANY($10::text[])
       RETURNING id, plan, cascade, status`,
      [
        rule.workspaceId,
        rule.appId,
        rule.id,
        input.triggerKey,
        JSON.stringify(input.trigger),
        input.recordId,
        input.explanation === null ? null : JSON.stringify(input.explanation),
        input.plan === null ? null : JSON.stringify(input.plan),
        JSON.stringify(input.cascade),
        input.replay === true ? ['running', 'failed', 'dead'] : ['running', 'failed'],
      ],
    );
    if (row === undefined) return { runId: null, status: 'already_done' };
    if (input.error !== undefined) {
      await this.finish(row.id, 'dead', [], input.error);
      await this.notifyAdmins(rule, row.id, input.error);
      return { runId: row.id, status: 'dead' };
    }
    const plan = row.plan ?? input.plan ?? [];
    const cascade = row.cascade ?? input.cascade;
    const log: ActionLogEntry[] = [];
    const author =
      rule.authorMemberId === null
        ? null
        : await loadActor(this.db, rule.authorMemberId, cascade.depth);
    if (author === null) {
      const error = {
        code: 'AUTHOR_INACTIVE',
        message:
          "The rule's author is no longer an active member; save the rule again to run it as yourself",
      };
      await this.finish(row.id, 'dead', log, error);
      await this.notifyAdmins(rule, row.id, error);
      return { runId: row.id, status: 'dead' };
    }
    for (const [index, action] of plan.entries()) {
      const startedAt = new Date();
      try {
        const outcome = await this.actions.perform(action, {
          rule,
          runId: row.id,
          index,
          idempotencyKey: `${input.triggerKey}:${rule.id}:${index}`,
          author,
          cascade,
          recordId: input.recordId,
          record: input.trigger.record,
          eventType: input.trigger.eventType,
        });
        log.push({
          index,
          type: action.type,
          status: outcome.applied ? 'applied' : 'already_applied',
          result: outcome.result,
          startedAt: startedAt.toISOString(),
          durationMs: Date.now() - startedAt.getTime(),
        });
      } catch (error) {
        const failure = classifyError(error);
        log.push({
          index,
          type: action.type,
          status: 'failed',
          error: { code: failure.code, message: failure.message },
          startedAt: startedAt.toISOString(),
          durationMs: Date.now() - startedAt.getTime(),
        });
        for (const [rest, skipped] of plan.entries())
          if (rest > index)
            log.push({
              index: rest,
              type: skipped.type,
              status: 'skipped',
              startedAt: new Date().toISOString(),
              durationMs: 0,
            });
        const final = failure.permanent || input.finalAttempt === true || input.replay === true;
        const status = final ? 'dead' : 'failed';
        await this.finish(row.id, status, log, { code: failure.code, message: failure.message });
        if (!failure.permanent)
          this.logger.warn({ err: error, rule: rule.id, run: row.id }, 'rule action failed');
        if (final) await this.notifyAdmins(rule, row.id, failure);
        return { runId: row.id, status };
      }
    }
    await this.finish(row.id, 'succeeded', log, null);
    return { runId: row.id, status: 'succeeded' };
  }

  /** A run that did not fire (its condition did not hold when its timer came due): logged as skipped. */
  async skipped(
    rule: StoredRule,
    triggerKey: string,
    trigger: RunTrigger,
    recordId: string | null,
    explanation: ExplainNode | null,
    reason: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO rule_run (workspace_id, app_id, rule_id, trigger_key, trigger, record_id, status, explanation, error, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'skipped', $7, $8, now())
       ON CONFLICT (rule_id, trigger_key) DO NOTHING`,
      [
        rule.workspaceId,
        rule.appId,
        rule.id,
        triggerKey,
        JSON.stringify(trigger),
        recordId,
        explanation === null ? null : JSON.stringify(explanation),
        JSON.stringify({ code: 'CONDITION_FALSE', message: reason }),
      ],
    );
  }

  /** The job ran out of attempts: its failed runs are dead and reported. */
  async markDead(triggerKey: string, error: unknown): Promise<void> {
    const failure = classifyError(error);
    const rows = await this.db.query<{
      id: string;
      rule_id: string;
      workspace_id: string;
      app_id: string;
      name: unknown;
    }>(
      `UPDATE rule_run rr SET status = 'dead', finished_at = now(),
              error = coalesce(rr.error, $2::jsonb)
         FROM rule r WHERE r.id = rr.rule_id AND rr.trigger_key = $1 AND rr.status IN ('failed', 'running')
       RETURNING rr.id, rr.rule_id, rr.workspace_id, rr.app_id, r.definition->'name' AS name`,
      [triggerKey, JSON.stringify({ code: failure.code, message: failure.message })],
    );
    for (const row of rows)
      await this.notifyAdminsRaw(
        row.workspace_id,
        row.app_id,
        row.rule_id,
        row.id,
        row.name,
        failure,
      );
  }

  private async finish(
    runId: string,
    status: 'succeeded' | 'failed' | 'dead',
    log: readonly ActionLogEntry[],
    error: { code: string; message: string } | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE rule_run SET status = $2, actions = $3, error = $4, finished_at = now() WHERE id = $1`,
      [runId, status, JSON.stringify(log), error === null ? null : JSON.stringify(error)],
    );
  }

  private notifyAdmins(
    rule: StoredRule,
    runId: string,
    error: { code: string; message: string },
  ): Promise<void> {
    return this.notifyAdminsRaw(
      rule.workspaceId,
      rule.appId,
      rule.id,
      runId,
      rule.definition.name,
      error,
    );
  }

  private async notifyAdminsRaw(
    workspaceId: string,
    appId: string,
    ruleId: string,
    runId: string,
    name: unknown,
    error: { code: string; message: string },
  ): Promise<void> {
    try {
      const title = pickText(
        typeof name === 'string' || (typeof name === 'object' && name !== null)
          ? (name as string | Record<string, string>)
          : 'rule',
        'zh-CN',
      );
      for (const memberId of await appAdmins(this.db, workspaceId)) {
        await this.notifications.add(this.db, {
          workspaceId,
          memberId,
          kind: 'rule.failed',
          title: `自动化规则失败：${title}`,
          body: `${error.code}: ${error.message}`.slice(0, 2000),
          link: { appId, ruleId, runId },
          idempotencyKey: `rule-failed:${runId}`,
        });
      }
    } catch (failure) {
      this.logger.error(
        { err: failure, run: runId },
        'could not notify the admins of a failed run',
      );
    }
  }
}
