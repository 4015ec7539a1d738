import { Injectable } from '@nestjs/common';
import type { RuleDefinition } from '@trellis/rule-engine';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';

/** A saved rule: its normalized definition and where it lives. */
export type StoredRule = {
  readonly id: string;
  readonly workspaceId: string;
  readonly appId: string;
  readonly formId: string;
  readonly formKey: string;
  readonly key: string;
  readonly definition: RuleDefinition;
  readonly enabled: boolean;
  readonly authorMemberId: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

type RuleRow = {
  id: string;
  workspace_id: string;
  app_id: string;
  form_id: string;
  form_key: string;
  key: string;
  definition: RuleDefinition;
  enabled: boolean;
  author_member_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
};

export const RULE_COLUMNS = `r.id, r.workspace_id, r.app_id, r.form_id, f.key AS form_key, r.key, r.definition, r.enabled,
  r.author_member_id, r.version, r.created_at, r.updated_at`;

/** Rules by form for the workers, cached per process and dropped in every process when one is saved. */
@Injectable()
export class RuleCatalog {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  /** The enabled rules watching a form. */
  forForm(formId: string): Promise<StoredRule[]> {
    return this.cache.get(rulesCacheKey(formId), async () =>
      (
        await this.db.query<RuleRow>(
          `SELECT ${RULE_COLUMNS} FROM rule r JOIN form f ON f.id = r.form_id
            WHERE r.form_id = $1 AND r.enabled ORDER BY r.created_at, r.id`,
          [formId],
        )
      ).map(toStoredRule),
    );
  }

  /** One rule, read fresh (timers and replays). */
  async byId(id: string, sql: Sql = this.db): Promise<StoredRule | null> {
    const [row] = await sql.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM rule r JOIN form f ON f.id = r.form_id WHERE r.id = $1`,
      [id],
    );
    return row === undefined ? null : toStoredRule(row);
  }
}

export function toStoredRule(row: RuleRow): StoredRule {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    appId: row.app_id,
    formId: row.form_id,
    formKey: row.form_key,
    key: row.key,
    definition: row.definition,
    enabled: row.enabled,
    authorMemberId: row.author_member_id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rulesCacheKey(formId: string): string {
  return `rules:${formId}`;
}
