import { Injectable } from '@nestjs/common';
import {
  type Bundle,
  generateSampleData,
  type SampleData,
  SampleDataError,
} from '@trellis/app-bundle';
import type { AuthContext } from '../auth/auth-context.js';
import { joinWorkspace } from '../auth/auth.service.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import type { Sql } from '../database/database.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { FormRuntimeService } from '../forms/form-runtime.service.js';
import { type FieldStorage, tableRef } from '../forms/table-layout.js';
import { toDbParam } from '../records/record-codec.js';
import { searchGrams, searchText } from '../records/record-search.js';

/** Rows per INSERT statement (the rows travel as one jsonb parameter). */
const BATCH = 2_000;

type Column = Extract<FieldStorage, { storage: 'column' }>;

/**
 * Sample people sign in nowhere: their e-mail addresses are on a reserved, non-routable domain
 * (RFC 2606 `.invalid`), which is also how they are told apart from real people.
 */
export const SAMPLE_PEOPLE_DOMAIN = 'sample.trellis.invalid';

/**
 * The password hash of a sample person: not a PHC string, so no password verifies against it
 * (`verifyPassword` answers false) and neither sign-in nor a password change can succeed.
 */
export const NO_PASSWORD = '!sample-person:no-password';

/** A member of the generated sales organisation, created in the importing workspace. */
export type SamplePerson = {
  memberId: string;
  name: string;
  email: string;
  roleKeys: string[];
  teamId: string | null;
  title: string;
};

export type SampleLoadResult = {
  /** Records inserted, by form key. */
  records: Record<string, number>;
  /** The generator's people, created as members (without a usable password). */
  people: SamplePerson[];
};

/**
 * Inserts the bundle's generated sample records (crm-sample-v1) into the app's tables in bulk, in
 * the import's transaction. The generator's organisation is created first, for real: each of its
 * people becomes a member of the workspace (in the generator's team, with its role and manager)
 * backed by an account that cannot sign in. Every record is then owned and created by the member
 * the generator names, and user fields point at those members; the importing member owns nothing
 * of the sample. Every record is validated by the form's compiled validator first and stored with
 * the canonical values it returns.
 */
@Injectable()
export class SampleDataLoader {
  constructor(
    private readonly catalog: FormCatalogService,
    private readonly runtimes: FormRuntimeService,
  ) {}

  async load(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    formIds: ReadonlyMap<string, string>,
    teamIds: ReadonlyMap<string, string>,
    options: { now: string; scale: number; progress: (done: number, total: number) => void },
  ): Promise<SampleLoadResult> {
    if (bundle.sampleData === undefined) return { records: {}, people: [] };
    let data;
    try {
      data = generateSampleData(bundle, { now: options.now, scale: options.scale });
    } catch (error) {
      if (error instanceof SampleDataError)
        throw ApiError.validation(
          error.issues.length > 0
            ? error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message }))
            : [{ path: 'sampleData', code: error.code, message: error.message }],
        );
      throw error;
    }
    const people = await this.createPeople(tx, auth, data, teamIds);
    const memberOf = new Map(people.map((p) => [p.sampleId, p.memberId]));
    const member = (sampleId: string | null): string | null =>
      sampleId === null ? null : (memberOf.get(sampleId) ?? null);
    const person = (value: unknown): unknown =>
      typeof value === 'string' && memberOf.has(value)
        ? memberOf.get(value)
        : Array.isArray(value)
          ? value.map(person)
          : value;
    const total = Object.values(data.plan.counts).reduce((a, b) => a + b, 0);
    const counts: Record<string, number> = {};
    let done = 0;
    options.progress(done, total);
    for (const key of data.plan.order) {
      const formId = formIds.get(key);
      if (formId === undefined) continue;
      const form = await this.catalog.published(auth.workspaceId, formId, tx);
      const runtime = this.runtimes.runtime(form);
      const columns = Object.entries(form.layout.fields).filter(
        (e): e is [string, Column] => e[1].storage === 'column',
      );
      const table = tableRef(form.layout.schema, form.layout.table);
      const names = ['id', 'owner_id', 'created_by', 'created_at', 'updated_at', 'stage']
        .concat(['stage_entered_at', 'search_text', 'search_grams'])
        .concat(columns.map(([, c]) => c.column));
      const list = names.map((n) => `"${n}"`).join(', ');
      let rows: Array<Record<string, unknown>> = [];
      const flush = async () => {
        if (rows.length === 0) return;
        await tx.query(
          `INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
          [JSON.stringify(rows)],
        );
        options.progress((done += rows.length), total);
        rows = [];
      };
      let index = 0;
      counts[key] = 0;
      for (const record of data.records(key)) {
        const values = Object.fromEntries(
          Object.entries(record.values).map(([id, value]) => [id, person(value)]),
        );
        const createdBy = member(record.createdBy) ?? auth.memberId;
        // as stored values (`previous`): read-only fields the generator fills are not writes
        const outcome = runtime.validate({
          values,
          previous: values,
          stage: record.stage,
          mode: 'submit',
          locale: 'zh-CN',
          hidden: new Set(),
          readOnly: new Set(),
          now: record.createdAt,
          timeZone: 'Asia/Shanghai',
          user: { id: createdBy },
          // formulas read them (an opportunity's sales cycle runs from created_at to closed_at)
          system: {
            owner_id: member(record.ownerId),
            created_by: createdBy,
            created_at: record.createdAt,
            updated_at: record.updatedAt,
            stage: record.stage,
            stage_entered_at: record.stageEnteredAt,
          },
        });
        if (!outcome.ok)
          throw ApiError.validation(
            outcome.errors.map((e): ErrorDetail => ({
              ...e,
              path: `sampleData.${key}.${index}.${e.path}`,
            })),
            `Sample record ${index} of "${key}" does not pass the form's validation`,
          );
        const canonical = outcome.values;
        const row: Record<string, unknown> = {
          id: record.id,
          owner_id: member(record.ownerId),
          created_by: createdBy,
          created_at: record.createdAt,
          updated_at: record.updatedAt,
          stage: record.stage,
          stage_entered_at: record.stageEnteredAt,
        };
        const text = searchText(Object.values(canonical).filter((v) => typeof v === 'string'));
        row['search_text'] = text;
        row['search_grams'] = searchGrams(text);
        for (const [fieldId, column] of columns) {
          const value = canonical[fieldId];
          row[column.column] =
            column.sqlType === 'jsonb' ? (value ?? null) : toDbParam(column, value);
        }
        rows.push(row);
        index += 1;
        if (rows.length >= BATCH) await flush();
      }
      await flush();
      counts[key] = index;
    }
    return { records: counts, people: people.map(({ sampleId: _sampleId, ...p }) => p) };
  }

  /**
   * The generator's organisation as members of the workspace, the way an accepted invitation adds
   * one (`joinWorkspace`): an account (no usable password, reserved e-mail domain), a member in
   * its team with its role, then managers and team leads once everyone exists. Teams the bundle
   * does not define are created; a team without a manager gets the generator's lead.
   */
  private async createPeople(
    tx: Sql,
    auth: AuthContext,
    data: SampleData,
    bundleTeams: ReadonlyMap<string, string>,
  ): Promise<Array<SamplePerson & { sampleId: string }>> {
    const teams = new Map(bundleTeams);
    for (const team of data.teams) {
      if (teams.has(team.key)) continue;
      const name = typeof team.name === 'string' ? team.name : team.name['zh-CN'];
      const parentId = team.parentKey === null ? null : (teams.get(team.parentKey) ?? null);
      const [existing] = await tx.query<{ id: string }>(
        `SELECT id FROM team WHERE workspace_id = $1 AND name = $2 ORDER BY created_at LIMIT 1`,
        [auth.workspaceId, name],
      );
      const [row] =
        existing !== undefined
          ? [existing]
          : await tx.query<{ id: string }>(
              `INSERT INTO team (workspace_id, name, kind, parent_id) VALUES ($1, $2, $3, $4) RETURNING id`,
              [auth.workspaceId, name, parentId === null ? 'department' : 'team', parentId],
            );
      if (row === undefined) throw new Error('team insert returned nothing');
      teams.set(team.key, row.id);
    }
    const out: Array<SamplePerson & { sampleId: string }> = [];
    for (const m of data.members) {
      const local = m.email.slice(0, m.email.indexOf('@')).toLowerCase();
      // app_user is instance-wide: the workspace id keeps each workspace's sample people apart
      const email = `${local}+${auth.workspaceId}@${SAMPLE_PEOPLE_DOMAIN}`;
      // a new account every time, never an existing one (whoever holds it would join the workspace)
      const user = await tx
        .query<{ id: string }>(
          `INSERT INTO app_user (email, name, password_hash, locale) VALUES ($1, $2, $3, 'zh-CN') RETURNING id`,
          [email, m.name, NO_PASSWORD],
        )
        .then(
          ([row]) => row,
          (error: unknown) => {
            if ((error as { code?: string }).code !== '23505') throw error;
            throw new ApiError('CONFLICT', `An account with the e-mail ${email} already exists`, [
              {
                path: `sampleData.members.${out.length}`,
                code: 'EMAIL_TAKEN',
                message: `The sample person ${m.name} cannot be created: ${email} is taken`,
              },
            ]);
          },
        );
      if (user === undefined) throw new Error('sample user insert returned nothing');
      const teamId = teams.get(m.teamKey) ?? null;
      const memberId = await joinWorkspace(tx, auth.workspaceId, user.id, m.name, m.roles, teamId);
      const [granted] = await tx.query<{ keys: string[] }>(
        `SELECT coalesce(array_agg(r.key ORDER BY r.key), '{}') AS keys
           FROM member_role mr JOIN role r ON r.id = mr.role_id WHERE mr.member_id = $1`,
        [memberId],
      );
      out.push({
        sampleId: m.id,
        memberId,
        name: m.name,
        email,
        roleKeys: granted?.keys ?? [],
        teamId,
        title: m.title,
      });
    }
    const memberOf = new Map(out.map((p) => [p.sampleId, p.memberId]));
    const managers = data.members.flatMap((m) =>
      m.managerId === null || !memberOf.has(m.managerId)
        ? []
        : [[memberOf.get(m.id), memberOf.get(m.managerId)]],
    );
    if (managers.length > 0)
      await tx.query(
        `UPDATE member m SET manager_member_id = x.manager
           FROM unnest($1::uuid[], $2::uuid[]) AS x(id, manager) WHERE m.id = x.id`,
        [managers.map((p) => p[0]), managers.map((p) => p[1])],
      );
    for (const team of data.teams) {
      const teamId = teams.get(team.key);
      const lead = team.leadId === null ? undefined : memberOf.get(team.leadId);
      if (teamId === undefined || lead === undefined) continue;
      await tx.query(
        `UPDATE team SET manager_member_id = $3 WHERE workspace_id = $1 AND id = $2 AND manager_member_id IS NULL`,
        [auth.workspaceId, teamId, lead],
      );
    }
    return out;
  }
}
