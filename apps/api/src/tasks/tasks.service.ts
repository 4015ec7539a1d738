import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService } from '../database/database.service.js';
import type { TaskListQuery, TaskResponse } from './dto/tasks.dto.js';

type TaskRow = {
  id: string;
  title: string;
  description: string | null;
  status: 'open' | 'done' | 'cancelled';
  due_at: Date | null;
  assignee_member_id: string | null;
  app_id: string | null;
  form_id: string | null;
  record_id: string | null;
  source: string;
  created_at: Date;
  done_at: Date | null;
};

const COLUMNS =
  'id, title, description, status, due_at, assignee_member_id, app_id, form_id, record_id, source, created_at, done_at';

/** My tasks (from flows and rules): assignee, due time, related record, done. */
@Injectable()
export class TasksService {
  constructor(private readonly db: DatabaseService) {}

  async mine(auth: AuthContext, query: TaskListQuery): Promise<TaskResponse[]> {
    const status = query.status ?? 'open';
    const rows = await this.db.query<TaskRow>(
      `SELECT ${COLUMNS} FROM task
        WHERE workspace_id = $1 AND assignee_member_id = $2 AND ($3 = 'all' OR status = $3)
        ORDER BY (status = 'open') DESC, due_at ASC NULLS LAST, created_at DESC LIMIT $4`,
      [auth.workspaceId, auth.memberId, status, query.limit ?? 200],
    );
    return rows.map(present);
  }

  async done(auth: AuthContext, id: string): Promise<TaskResponse> {
    const [row] = await this.db.query<TaskRow>(
      `UPDATE task SET status = 'done', done_at = coalesce(done_at, now())
        WHERE id = $1 AND workspace_id = $2 AND assignee_member_id = $3 AND status <> 'cancelled'
        RETURNING ${COLUMNS}`,
      [id, auth.workspaceId, auth.memberId],
    );
    if (row === undefined) throw ApiError.notFound('Task');
    return present(row);
  }
}

function present(row: TaskRow): TaskResponse {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    dueAt: row.due_at?.toISOString() ?? null,
    assigneeMemberId: row.assignee_member_id,
    related:
      row.form_id === null && row.record_id === null
        ? null
        : { appId: row.app_id, formId: row.form_id, recordId: row.record_id },
    source: row.source,
    createdAt: row.created_at.toISOString(),
    doneAt: row.done_at?.toISOString() ?? null,
  };
}
