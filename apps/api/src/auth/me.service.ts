import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import type { AuthContext } from './auth-context.js';
import type { MeResponse } from './dto/auth.dto.js';

@Injectable()
export class MeService {
  constructor(private readonly db: DatabaseService) {}

  async describe(auth: AuthContext): Promise<MeResponse> {
    const [row] = await this.db.query<{
      email: string;
      name: string;
      locale: string;
      workspace_name: string;
      display_name: string;
      is_owner: boolean;
      team_id: string | null;
    }>(
      `SELECT u.email, u.name, u.locale, w.name AS workspace_name, m.display_name, m.is_owner, m.team_id
         FROM member m JOIN app_user u ON u.id = m.user_id JOIN workspace w ON w.id = m.workspace_id WHERE m.id = $1`,
      [auth.memberId],
    );
    if (row === undefined) throw new Error('member vanished');
    const roles = await this.db.query<{ id: string; key: string; name: unknown }>(
      `SELECT r.id, r.key, r.name FROM member_role mr JOIN role r ON r.id = mr.role_id WHERE mr.member_id = $1 ORDER BY r.key`,
      [auth.memberId],
    );
    const workspaces = await this.db.query<{ id: string; name: string }>(
      `SELECT w.id, w.name FROM member m JOIN workspace w ON w.id = m.workspace_id WHERE m.user_id = $1 AND m.status = 'active' ORDER BY m.created_at`,
      [auth.userId],
    );
    return {
      user: { id: auth.userId, email: row.email, name: row.name, locale: row.locale },
      workspace: { id: auth.workspaceId, name: row.workspace_name },
      member: {
        id: auth.memberId,
        displayName: row.display_name,
        isOwner: row.is_owner,
        teamId: row.team_id,
      },
      roles,
      workspaces,
    };
  }
}
