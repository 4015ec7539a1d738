import { Injectable } from '@nestjs/common';
import { BUNDLE_SCHEMA_VERSION, type Bundle, type BundleRole } from '@trellis/app-bundle';
import { ApiError } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { RolePermissions } from '../policy/permissions.js';
import { bundlePermissionsOf } from './bundle-roles.js';

type Obj = Record<string, unknown>;

/**
 * An installed app as a bundle of the current schema version: its published forms, flows, rules,
 * reports, dashboards, the roles that grant anything on its forms, and the teams its rules name.
 * Ids of this workspace become bundle-local keys again (form keys, report keys, team keys).
 */
@Injectable()
export class AppExportService {
  constructor(private readonly db: DatabaseService) {}

  async exportApp(workspaceId: string, appId: string, sql: Sql = this.db): Promise<Bundle> {
    const [app] = await sql.query<{
      name: LocalizedText;
      description: LocalizedText | null;
      icon: string | null;
      template_key: string | null;
      template_version: string | null;
      translations: Record<string, Record<string, string>>;
    }>(
      `SELECT name, description, icon, template_key, template_version, translations FROM app WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, appId],
    );
    if (app === undefined) throw ApiError.notFound('App');

    const forms = await sql.query<{ id: string; key: string; schema: Obj | null; draft: Obj }>(
      `SELECT f.id, f.key, v.schema, f.draft FROM form f
         LEFT JOIN form_version v ON v.form_id = f.id AND v.version = f.published_version
        WHERE f.workspace_id = $1 AND f.app_id = $2 ORDER BY f.created_at, f.id`,
      [workspaceId, appId],
    );
    const formKeys = new Map(forms.map((f) => [f.id, f.key]));
    const flows = await sql.query<{ key: string; draft: Obj }>(
      `SELECT f.key, fl.draft FROM flow fl JOIN form f ON f.id = fl.form_id
        WHERE f.workspace_id = $1 AND f.app_id = $2 AND fl.published_version IS NOT NULL ORDER BY f.created_at, f.id`,
      [workspaceId, appId],
    );
    const rules = await sql.query<{ definition: Obj }>(
      `SELECT definition FROM rule WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at, id`,
      [workspaceId, appId],
    );
    const reports = await sql.query<{
      id: string;
      key: string | null;
      name: LocalizedText;
      spec: Obj;
      chart: Obj | null;
    }>(
      `SELECT id, key, name, spec, chart FROM report WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at, id`,
      [workspaceId, appId],
    );
    const reportKeys = new Map(reports.map((r, i) => [r.id, r.key ?? `report_${i + 1}`]));
    const dashboards = await sql.query<{ key: string | null; name: LocalizedText; layout: Obj }>(
      `SELECT key, name, layout FROM dashboard WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at, id`,
      [workspaceId, appId],
    );
    const roles = await sql.query<{
      key: string;
      name: LocalizedText;
      permissions: RolePermissions;
    }>(`SELECT key, name, permissions FROM role WHERE workspace_id = $1 ORDER BY created_at, key`, [
      workspaceId,
    ]);
    const teams = await this.teamsOf(sql, workspaceId, rules);

    const bundle: Bundle = {
      schemaVersion: BUNDLE_SCHEMA_VERSION,
      key: app.template_key ?? `app_${appId.replaceAll('-', '').slice(0, 12)}`,
      version: app.template_version ?? '1.0.0',
      name: app.name,
      ...(app.description === null ? {} : { description: app.description }),
      ...(app.icon === null ? {} : { icon: app.icon }),
      forms: forms.map((f) => (f.schema ?? f.draft) as unknown as Bundle['forms'][number]),
      flows: flows.map((f) => ({ formId: f.key, definition: f.draft })),
      rules: rules.map(
        (r) => mapTeams(r.definition, teams.keys) as unknown as Bundle['rules'][number],
      ),
      reports: reports.map((r) => ({
        id: reportKeys.get(r.id) as string,
        name: r.name,
        spec: r.spec as unknown as Bundle['reports'][number]['spec'],
        chart: (r.chart ?? { type: 'table' }) as unknown as Bundle['reports'][number]['chart'],
      })),
      dashboards: dashboards.map((d, i) => dashboardOf(d, i, reportKeys)),
      roles: roles.flatMap((r): BundleRole[] => {
        const permissions = bundlePermissionsOf(r.permissions, formKeys);
        if (permissions === undefined) return [];
        return [
          {
            key: r.key,
            name: r.name,
            permissions: {
              ...(r.permissions.workspace === undefined || r.permissions.workspace.length === 0
                ? {}
                : { workspace: [...r.permissions.workspace] }),
              forms: permissions,
            },
          },
        ];
      }),
      ...(teams.list.length === 0 ? {} : { teams: teams.list }),
      ...(Object.keys(app.translations).length === 0 ? {} : { translations: app.translations }),
    };
    return bundle;
  }

  /** The teams the rules name (with their parents), keyed team_1, team_2 … by depth and name. */
  private async teamsOf(
    sql: Sql,
    workspaceId: string,
    rules: ReadonlyArray<{ definition: Obj }>,
  ): Promise<{ keys: Map<string, string>; list: NonNullable<Bundle['teams']> }> {
    const named = new Set<string>();
    for (const rule of rules)
      visitPools(rule.definition, (pool) => named.add(pool['team'] as string));
    if (named.size === 0) return { keys: new Map(), list: [] };
    const rows = await sql.query<{
      id: string;
      name: string;
      parent_id: string | null;
      depth: number;
    }>(
      `WITH RECURSIVE chosen AS (
         SELECT id, name, parent_id FROM team WHERE workspace_id = $1 AND (id::text = ANY($2) OR name = ANY($2))
         UNION SELECT t.id, t.name, t.parent_id FROM team t JOIN chosen c ON t.id = c.parent_id
       ), depth AS (
         SELECT id, 0 AS depth FROM team WHERE workspace_id = $1 AND parent_id IS NULL
         UNION ALL SELECT t.id, d.depth + 1 FROM team t JOIN depth d ON t.parent_id = d.id
       )
       SELECT DISTINCT c.id, c.name, c.parent_id, d.depth FROM chosen c JOIN depth d ON d.id = c.id
        ORDER BY d.depth, c.name, c.id`,
      [workspaceId, [...named]],
    );
    const keys = new Map(rows.map((r, i) => [r.id, `team_${i + 1}`]));
    for (const r of rows) keys.set(r.name, keys.get(r.id) as string);
    const list = rows.map((r) => ({
      key: keys.get(r.id) as string,
      name: r.name,
      ...(r.parent_id !== null && keys.has(r.parent_id)
        ? { parent: keys.get(r.parent_id) as string }
        : {}),
    }));
    return { keys, list };
  }
}

/** Calls `visit` with every owner-assignment pool naming a team in a rule definition. */
export function visitPools(definition: Obj, visit: (pool: Obj) => void): void {
  const actions = Array.isArray(definition['actions']) ? definition['actions'] : [];
  for (const action of actions) {
    const pool = (action as Obj)['pool'];
    if (typeof pool === 'object' && pool !== null && typeof (pool as Obj)['team'] === 'string')
      visit(pool as Obj);
  }
}

/** A copy of the rule definition whose pools name teams through `keys` (id or key → the other). */
export function mapTeams(definition: Obj, keys: ReadonlyMap<string, string>): Obj {
  const copy = structuredClone(definition);
  visitPools(copy, (pool) => {
    const team = pool['team'] as string;
    pool['team'] = keys.get(team) ?? team;
  });
  return copy;
}

function dashboardOf(
  row: { key: string | null; name: LocalizedText; layout: Obj },
  index: number,
  reportKeys: ReadonlyMap<string, string>,
): Bundle['dashboards'][number] {
  const { items, filters, audience, description } = row.layout as {
    items?: Obj[];
    filters?: Obj[];
    audience?: string[];
    description?: LocalizedText;
  };
  const keyOf = (id: unknown) => reportKeys.get(id as string) ?? String(id);
  return {
    id: row.key ?? `dashboard_${index + 1}`,
    name: row.name,
    ...(description === undefined ? {} : { description }),
    ...(audience === undefined ? {} : { audience }),
    items: (items ?? []).map((item) => {
      const { reportId, kpi, ...rest } = item as Obj & { kpi?: Obj };
      return (kpi === undefined
        ? { ...rest, reportId: keyOf(reportId) }
        : {
            ...rest,
            kpi: { ...kpi, reportId: keyOf(kpi['reportId']) },
          }) as unknown as Bundle['dashboards'][number]['items'][number];
    }),
    ...(filters === undefined || filters.length === 0
      ? {}
      : { filters: filters as unknown as NonNullable<Bundle['dashboards'][number]['filters']> }),
  };
}
