import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer-data imports (apps/api/src/imports): the import jobs of the
 * wizard, the uploaded file kept in PostgreSQL (so any API process can run or
 * resume an import), the rows it rejected or skipped, and column mappings
 * saved per form. Staging tables of running imports live in their own schema
 * and are dropped when the import ends.
 */
export class Imports1795420800020 implements MigrationInterface {
  name = 'Imports1795420800020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS trellis_import`);
    await q.query(`
      CREATE TABLE import_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        created_by uuid REFERENCES member(id) ON DELETE SET NULL,
        status text NOT NULL CHECK (status IN
          ('uploading', 'uploaded', 'mapped', 'running', 'validated', 'completed', 'failed', 'cancelled')),
        run_kind text CHECK (run_kind IN ('dry_run', 'commit')),
        mode text CHECK (mode IN ('skip_bad_rows', 'all_or_nothing')),
        file_name text NOT NULL,
        file_size bigint NOT NULL DEFAULT 0,
        file_sha256 text,
        format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
        encoding text,
        delimiter text,
        header_line integer,
        total_rows integer,
        columns jsonb NOT NULL DEFAULT '[]',
        preview jsonb NOT NULL DEFAULT '[]',
        mapping jsonb,
        form_version integer,
        stage_signature text,
        staged_through integer NOT NULL DEFAULT 0,
        staged_complete boolean NOT NULL DEFAULT false,
        resolved boolean NOT NULL DEFAULT false,
        merged_through integer NOT NULL DEFAULT 0,
        counts jsonb,
        progress jsonb NOT NULL DEFAULT '{}',
        error jsonb,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX import_job_form_idx ON import_job (form_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX import_job_running_idx ON import_job (lease_until) WHERE status = 'running'`,
    );
    await q.query(`
      CREATE TABLE import_file_chunk (
        import_id uuid NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
    // the file is read back whole and in order: no point compressing it twice
    await q.query(`ALTER TABLE import_file_chunk ALTER COLUMN data SET STORAGE EXTERNAL`);
    await q.query(`
      CREATE TABLE import_row_issue (
        import_id uuid NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
        line integer NOT NULL,
        run_kind text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('rejected', 'skipped')),
        record_id uuid,
        reasons jsonb NOT NULL,
        PRIMARY KEY (import_id, line)
      )`);
    await q.query(`
      CREATE TABLE import_mapping (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        signature text NOT NULL,
        headers jsonb NOT NULL,
        columns jsonb NOT NULL,
        settings jsonb NOT NULL,
        created_by uuid REFERENCES member(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (form_id, signature)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_mapping`);
    await q.query(`DROP TABLE import_row_issue`);
    await q.query(`DROP TABLE import_file_chunk`);
    await q.query(`DROP TABLE import_job`);
    await q.query(`DROP SCHEMA trellis_import CASCADE`);
  }
}
