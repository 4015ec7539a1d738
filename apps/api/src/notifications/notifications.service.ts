import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type {
  NotificationListQuery,
  NotificationListResponse,
  NotificationResponse,
} from './dto/notifications.dto.js';

type NotificationRow = {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: Record<string, unknown> | null;
  read_at: Date | null;
  created_at: Date;
};

export type NewNotification = {
  readonly workspaceId: string;
  readonly memberId: string;
  readonly kind: string;
  readonly title: string;
  readonly body?: string | null;
  readonly link?: Readonly<Record<string, unknown>> | null;
  /** With the member, unique: the same key never notifies twice. */
  readonly idempotencyKey: string;
};

const COLUMNS = 'id, kind, title, body, link, read_at, created_at';

/** In-app notifications: written by flows and rules (idempotently), read by their member. */
@Injectable()
export class NotificationsService {
  constructor(private readonly db: DatabaseService) {}

  /** Inserts a notification unless its key was used for that member; returns whether it was new. */
  async add(sql: Sql, n: NewNotification): Promise<boolean> {
    const rows = await sql.query(
      `INSERT INTO notification (workspace_id, member_id, kind, title, body, link, idempotency_key)
       SELECT $1, m.id, $3, $4, $5, $6, $7 FROM member m WHERE m.id = $2 AND m.workspace_id = $1 AND m.status = 'active'
       ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id`,
      [
        n.workspaceId,
        n.memberId,
        n.kind,
        n.title.slice(0, 500),
        n.body ?? null,
        n.link === undefined || n.link === null ? null : JSON.stringify(n.link),
        n.idempotencyKey,
      ],
    );
    return rows.length > 0;
  }

  async list(auth: AuthContext, query: NotificationListQuery): Promise<NotificationListResponse> {
    const limit = query.limit ?? 50;
    const cursor = query.before === undefined ? null : decodeCursor(query.before);
    const rows = await this.db.query<NotificationRow>(
      `SELECT ${COLUMNS} FROM notification
        WHERE member_id = $1 AND workspace_id = $2
          AND ($3::boolean IS NOT TRUE OR read_at IS NULL)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [
        auth.memberId,
        auth.workspaceId,
        query.unread === 'true',
        cursor?.at ?? null,
        cursor?.id ?? null,
        limit + 1,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(present),
      unreadCount: await this.unreadCount(auth.memberId),
      nextCursor:
        rows.length > limit && last !== undefined
          ? encodeCursor(last.created_at.toISOString(), last.id)
          : null,
    };
  }

  async unreadCount(memberId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification WHERE member_id = $1 AND read_at IS NULL`,
      [memberId],
    );
    return row?.n ?? 0;
  }

  /** One notification of this member (the SSE stream loads what the signal names). */
  async one(memberId: string, id: string): Promise<NotificationResponse | null> {
    const [row] = await this.db.query<NotificationRow>(
      `SELECT ${COLUMNS} FROM notification WHERE id = $1 AND member_id = $2`,
      [id, memberId],
    );
    return row === undefined ? null : present(row);
  }

  /** Notifications newer than the one a reconnecting stream saw last (Last-Event-ID). */
  async after(memberId: string, id: string): Promise<NotificationResponse[]> {
    const rows = await this.db.query<NotificationRow>(
      `SELECT ${COLUMNS} FROM notification n
        WHERE n.member_id = $1 AND (n.created_at, n.id) > (SELECT created_at, id FROM notification WHERE id = $2 AND member_id = $1)
        ORDER BY n.created_at, n.id LIMIT 100`,
      [memberId, id],
    );
    return rows.map(present);
  }

  async markRead(auth: AuthContext, id: string): Promise<NotificationResponse> {
    const [row] = await this.db.query<NotificationRow>(
      `UPDATE notification SET read_at = coalesce(read_at, now())
        WHERE id = $1 AND member_id = $2 AND workspace_id = $3 RETURNING ${COLUMNS}`,
      [id, auth.memberId, auth.workspaceId],
    );
    if (row === undefined) throw ApiError.notFound('Notification');
    return present(row);
  }

  async markAllRead(auth: AuthContext): Promise<{ updated: number }> {
    const result = await this.db.execute(
      `UPDATE notification SET read_at = now() WHERE member_id = $1 AND workspace_id = $2 AND read_at IS NULL`,
      [auth.memberId, auth.workspaceId],
    );
    return { updated: result.affected };
  }
}

function present(row: NotificationRow): NotificationResponse {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    readAt: row.read_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(raw: string): { at: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    )
      return { at: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  throw ApiError.validation([
    { path: 'before', code: 'INVALID_CURSOR', message: 'before is a cursor from a previous page' },
  ]);
}
