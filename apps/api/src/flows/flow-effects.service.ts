import { Injectable } from '@nestjs/common';
import type { Effect, RecipientRef } from '@trellis/flow-engine';
import type { Sql } from '../database/database.service.js';
import { pickText } from '../common/localized-text.js';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import type { StoredRecord } from '../records/record-access.js';
import type { WorkspaceDirectory } from './workspace-directory.js';

type Performed = {
  tasks: number;
  notifications: number;
  timersScheduled: number;
  timersCancelled: number;
  approvals: number;
};

/**
 * Performs a flow's effects inside the record's transaction. Every row carries
 * an idempotency key (record + effect key + recipient) with a unique
 * constraint, so performing the same effects twice changes nothing.
 */
@Injectable()
export class FlowEffectsService {
  async perform(
    tx: Sql,
    form: PublishedForm,
    record: StoredRecord,
    effects: readonly Effect[],
    directory: WorkspaceDirectory,
    actorMemberId: string,
  ): Promise<Performed> {
    const done: Performed = {
      tasks: 0,
      notifications: 0,
      timersScheduled: 0,
      timersCancelled: 0,
      approvals: 0,
    };
    const link = JSON.stringify({ formId: form.id, recordId: record.id, appId: form.appId });
    for (const effect of effects) {
      switch (effect.type) {
        case 'setField':
          break; // applied to the record by the runner
        case 'createTask': {
          for (const assignee of resolve(effect.assignees, directory, record)) {
            const rows = await tx.query(
              `INSERT INTO task (workspace_id, app_id, form_id, record_id, title, description, assignee_member_id, due_at, source, idempotency_key, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'flow', $9, $10) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
              [
                form.workspaceId,
                form.appId,
                form.id,
                record.id,
                pickText(effect.title, 'zh-CN'),
                effect.description === null ? null : pickText(effect.description, 'zh-CN'),
                assignee,
                effect.dueAt,
                `flow:${record.id}:${effect.key}:${assignee}`,
                actorMemberId,
              ],
            );
            done.tasks += rows.length;
          }
          break;
        }
        case 'notify':
        case 'escalate': {
          const recipients = resolve(effect.to, directory, record);
          const kind = effect.type === 'notify' ? effect.template : `flow.escalate.${effect.scope}`;
          for (const member of recipients) {
            const rows = await tx.query(
              `INSERT INTO notification (workspace_id, member_id, kind, title, body, link, idempotency_key)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id`,
              [
                form.workspaceId,
                member,
                kind,
                notificationTitle(kind, form),
                effect.type === 'notify' ? JSON.stringify(effect.params) : effect.about,
                link,
                `flow:${record.id}:${effect.key}`,
              ],
            );
            done.notifications += rows.length;
          }
          break;
        }
        case 'scheduleTimer': {
          await tx.query(
            `INSERT INTO scheduled_timer (workspace_id, key, kind, form_id, record_id, due_at, payload)
             VALUES ($1, $2, 'flow', $3, $4, $5, $6)
             ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, status = 'scheduled', fired_at = NULL`,
            [
              form.workspaceId,
              `${record.id}:${effect.key}`,
              form.id,
              record.id,
              effect.timer.dueAt ?? effect.timer.from,
              JSON.stringify({ timerKey: effect.key, timer: effect.timer }),
            ],
          );
          done.timersScheduled += 1;
          break;
        }
        case 'cancelTimer': {
          const result = await tx.execute(
            `UPDATE scheduled_timer SET status = 'cancelled' WHERE key = $1 AND status = 'scheduled'`,
            [`${record.id}:${effect.key}`],
          );
          done.timersCancelled += result.affected;
          break;
        }
        case 'requestApproval': {
          await tx.query(
            `INSERT INTO approval (workspace_id, form_id, record_id, approval_key, transition_id, step_id, status, submitted_by, assignees, state)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8::uuid[], $9)
             ON CONFLICT (form_id, record_id, approval_key) DO UPDATE
               SET step_id = EXCLUDED.step_id, status = 'pending', assignees = EXCLUDED.assignees, state = EXCLUDED.state`,
            [
              form.workspaceId,
              form.id,
              record.id,
              effect.approvalId,
              effect.transitionId,
              effect.stepId,
              actorMemberId,
              effect.assignees.filter(isUuid),
              JSON.stringify({ mode: effect.mode }),
            ],
          );
          for (const member of effect.assignees.filter(isUuid)) {
            await tx.query(
              `INSERT INTO notification (workspace_id, member_id, kind, title, link, idempotency_key)
               VALUES ($1, $2, 'approval.requested', $3, $4, $5) ON CONFLICT (member_id, idempotency_key) DO NOTHING`,
              [
                form.workspaceId,
                member,
                `待审批：${pickText(form.name, 'zh-CN')}`,
                link,
                `approval:${record.id}:${effect.approvalId}:${effect.stepId}`,
              ],
            );
          }
          done.approvals += 1;
          break;
        }
        case 'approvalClosed': {
          await tx.query(
            `UPDATE approval SET status = $4, decided_at = now(), assignees = '{}' WHERE form_id = $1 AND record_id = $2 AND approval_key = $3`,
            [form.id, record.id, effect.approvalId, effect.outcome],
          );
          break;
        }
        default:
          break;
      }
    }
    return done;
  }
}

/** Flow recipients -> active member ids (roles and manager chains expanded with the directory). */
export function resolve(
  refs: readonly RecipientRef[],
  directory: WorkspaceDirectory,
  record: StoredRecord,
): string[] {
  const out = new Set<string>();
  for (const ref of refs) {
    switch (ref.kind) {
      case 'user':
        if (isUuid(ref.id) && directory.isActive(ref.id)) out.add(ref.id);
        break;
      case 'role':
        for (const id of directory.usersWithRole(ref.role)) out.add(id);
        break;
      case 'managerOf': {
        const chain = directory.managerChainOf(
          ref.user === 'owner' ? (record.ownerId ?? '') : ref.user,
        );
        const manager = chain[Math.min(Math.max(ref.levels, 1), chain.length) - 1];
        if (manager !== undefined) out.add(manager);
        break;
      }
      default:
        break;
    }
  }
  return [...out];
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function notificationTitle(kind: string, form: PublishedForm): string {
  const name = pickText(form.name, 'zh-CN');
  if (kind.startsWith('flow.escalate')) return `升级提醒：${name}`;
  if (kind === 'flow.approval.rejected') return `审批被驳回：${name}`;
  if (kind === 'flow.approval.returned') return `审批被退回：${name}`;
  if (kind.includes('remind')) return `提醒：${name}`;
  return `通知：${name}`;
}
