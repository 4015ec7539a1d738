import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthService } from '../auth/auth.service.js';
import { DatabaseService } from '../database/database.service.js';

export type FirstRunResult =
  | { readonly created: false }
  | {
      readonly created: true;
      readonly email: string;
      readonly password: string;
      readonly workspaceId: string;
      readonly memberId: string;
    };

export const FIRST_OWNER_EMAIL = 'owner@trellis.local';

/**
 * On a fresh instance, creates the owner account with a generated password
 * (printed once by the caller) through the same race-safe sign-up every user
 * goes through. A second process starting at the same moment finds the owner
 * taken and does nothing.
 */
export async function ensureFirstOwner(app: NestFastifyApplication): Promise<FirstRunResult> {
  const db = app.get(DatabaseService);
  const existing = await db.query(`SELECT 1 FROM instance_setting WHERE key = 'instance_owner'`);
  if (existing.length > 0) return { created: false };
  const password = `${randomBytes(9).toString('base64url')}-${randomBytes(3).toString('hex')}`;
  try {
    const session = await app.get(AuthService).signup({
      email: FIRST_OWNER_EMAIL,
      password,
      name: '管理员',
      workspaceName: '我的公司',
      locale: 'zh-CN',
    });
    return {
      created: true,
      email: FIRST_OWNER_EMAIL,
      password,
      workspaceId: session.workspace.id,
      memberId: session.member.id,
    };
  } catch {
    return { created: false };
  }
}
