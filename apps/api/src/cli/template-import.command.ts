// `trellis template import <folder or file> [--workspace <id>] [--with-sample-data]`
import { resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, formatDetail } from '../common/errors/api-error.js';
import { DatabaseService } from '../database/database.service.js';
import { describePath, readBundleSource } from '../templates/read-bundle-source.js';
import { IMPORT_STEPS, TemplatesService } from '../templates/templates.service.js';
import { ProgressBar } from './progress-bar.js';

export type TemplateImportArgs = {
  path: string;
  workspace?: string;
  withSampleData: boolean;
};

/** Exit codes: 0 imported, 1 invalid input (located errors on stderr), 2 usage or setup. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function parseTemplateImport(args: readonly string[]): TemplateImportArgs {
  let path: string | undefined;
  let workspace: string | undefined;
  let withSampleData = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--workspace') {
      workspace = args[++i];
      if (workspace === undefined) throw new CliError('--workspace needs a workspace id', 2);
    } else if (arg === '--with-sample-data') withSampleData = true;
    else if (arg.startsWith('--')) throw new CliError(`unknown option ${arg}`, 2);
    else if (path === undefined) path = arg;
    else throw new CliError(`unexpected argument ${arg}`, 2);
  }
  if (path === undefined)
    throw new CliError(
      'usage: trellis template import <folder or file> [--workspace <id>] [--with-sample-data]',
      2,
    );
  return { path, ...(workspace === undefined ? {} : { workspace }), withSampleData };
}

/** Reads and validates the bundle before anything boots; located errors fail fast. */
export async function readTemplate(path: string): Promise<unknown> {
  let source;
  try {
    // `npm run` starts in the repository root; INIT_CWD is where it was typed
    source = await readBundleSource(resolve(process.env['INIT_CWD'] ?? process.cwd(), path));
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, 2);
  }
  if (!source.ok)
    throw new CliError(
      source.issues.map((i) => `  ${i.path}: ${i.message} [${i.code}]`).join('\n'),
      1,
    );
  return { bundle: source.bundle, sources: source.sources };
}

export async function runTemplateImport(
  app: INestApplicationContext,
  args: TemplateImportArgs,
  bundle: unknown,
  sources: Parameters<typeof describePath>[1],
): Promise<string> {
  const auth = await ownerOf(app.get(DatabaseService), args.workspace);
  const bar = new ProgressBar(IMPORT_STEPS);
  try {
    const result = await app.get(TemplatesService).import(auth, bundle, {
      withSampleData: args.withSampleData,
      progress: (step, done, total) => bar.update(step, done, total),
    });
    bar.finish();
    const lines = [
      `imported "${result.key}" ${result.version} as app ${result.appId} in workspace ${auth.workspaceId}`,
      ...Object.entries(result.created).map(([part, n]) => `  ${part.padEnd(12)}${n}`),
      ...Object.entries(result.sampleRecords).map(([form, n]) => `  sample ${form.padEnd(16)}${n}`),
      ...(result.migrations.length > 0 ? [`  migrated: ${result.migrations.join(', ')}`] : []),
    ];
    return lines.join('\n');
  } catch (error) {
    bar.finish();
    if (error instanceof ApiError) {
      const details = error.errors.map(
        (e) => `  ${formatDetail({ ...e, path: describePath(e.path, sources) })} [${e.code}]`,
      );
      throw new CliError([error.message, ...details].join('\n'), 1);
    }
    throw error;
  }
}

/** Imports run as the workspace's owner; without --workspace the database must hold one workspace. */
async function ownerOf(db: DatabaseService, workspace: string | undefined): Promise<AuthContext> {
  const rows = await db.query<{
    workspace_id: string;
    schema_name: string;
    member_id: string;
    user_id: string;
    team_id: string | null;
  }>(
    `SELECT w.id AS workspace_id, w.schema_name, m.id AS member_id, m.user_id, m.team_id
       FROM workspace w JOIN member m ON m.workspace_id = w.id AND m.is_owner AND m.status = 'active'
      WHERE $1::text IS NULL OR w.id::text = $1 ORDER BY w.created_at`,
    [workspace ?? null],
  );
  const distinct = new Set(rows.map((r) => r.workspace_id));
  if (distinct.size === 0)
    throw new CliError(
      workspace === undefined ? 'the database has no workspace yet' : `no workspace ${workspace}`,
      2,
    );
  if (distinct.size > 1)
    throw new CliError(
      `the database has ${distinct.size} workspaces; choose one with --workspace <id>:\n${[...distinct].map((id) => `  ${id}`).join('\n')}`,
      2,
    );
  const row = rows[0] as (typeof rows)[number];
  return {
    userId: row.user_id,
    memberId: row.member_id,
    workspaceId: row.workspace_id,
    schemaName: row.schema_name,
    isOwner: true,
    teamId: row.team_id,
    locale: 'zh-CN',
  };
}
