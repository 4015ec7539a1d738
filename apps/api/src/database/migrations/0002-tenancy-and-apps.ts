import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces, people, sign-in, roles, apps, forms (draft + published
 * versions), flows, record history, approvals, reports and dashboards.
 * Records themselves live in one real table per published form, in the
 * workspace's own schema (see forms/form-tables.service.ts).
 */
export class TenancyAndApps1795420800002 implements MigrationInterface {
  name = 'TenancyAndApps1795420800002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspace (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        schema_name text NOT NULL UNIQUE,
        settings jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        locale text NOT NULL DEFAULT 'zh-CN',
        token_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email))`);
    await q.query(`
      CREATE TABLE team (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        parent_id uuid REFERENCES team(id) ON DELETE RESTRICT,
        name text NOT NULL,
        kind text NOT NULL DEFAULT 'team' CHECK (kind IN ('department', 'team')),
        manager_member_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX team_workspace_idx ON team (workspace_id, parent_id)`);
    await q.query(`
      CREATE TABLE member (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        team_id uuid REFERENCES team(id) ON DELETE SET NULL,
        manager_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        is_owner boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz,
        UNIQUE (workspace_id, user_id)
      )`);
    await q.query(`CREATE INDEX member_user_idx ON member (user_id)`);
    await q.query(`CREATE INDEX member_team_idx ON member (workspace_id, team_id)`);
    await q.query(
      `ALTER TABLE team ADD CONSTRAINT team_manager_fk FOREIGN KEY (manager_member_id) REFERENCES member(id) ON DELETE SET NULL`,
    );
    await q.query(`
      CREATE TABLE role (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        key text NOT NULL,
        name jsonb NOT NULL,
        is_system boolean NOT NULL DEFAULT false,
        permissions jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, key)
      )`);
    await q.query(`
      CREATE TABLE member_role (
        member_id uuid NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        role_id uuid NOT NULL REFERENCES role(id) ON DELETE CASCADE,
        PRIMARY KEY (member_id, role_id)
      )`);
    await q.query(`
      CREATE TABLE refresh_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_token_family_idx ON refresh_token (family_id)`);
    await q.query(`
      CREATE TABLE invitation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        email text NOT NULL,
        role_keys text[] NOT NULL DEFAULT '{}',
        team_id uuid REFERENCES team(id) ON DELETE SET NULL,
        token_hash text NOT NULL UNIQUE,
        invited_by uuid REFERENCES member(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        name jsonb NOT NULL,
        description jsonb,
        icon text,
        template_key text,
        template_version text,
        translations jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX app_workspace_idx ON app (workspace_id)`);
    await q.query(`
      CREATE TABLE form (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        key text NOT NULL,
        name jsonb NOT NULL,
        draft jsonb NOT NULL,
        draft_revision integer NOT NULL DEFAULT 1,
        published_version integer,
        table_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (app_id, key)
      )`);
    await q.query(`CREATE INDEX form_workspace_idx ON form (workspace_id)`);
    await q.query(`
      CREATE TABLE form_version (
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        version integer NOT NULL,
        schema jsonb NOT NULL,
        columns jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by uuid REFERENCES member(id) ON DELETE SET NULL,
        PRIMARY KEY (form_id, version)
      )`);
    await q.query(`
      CREATE TABLE flow (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        form_id uuid NOT NULL UNIQUE REFERENCES form(id) ON DELETE CASCADE,
        draft jsonb NOT NULL,
        published_version integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE flow_version (
        flow_id uuid NOT NULL REFERENCES flow(id) ON DELETE CASCADE,
        version integer NOT NULL,
        definition jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (flow_id, version)
      )`);
    await q.query(`
      CREATE TABLE serial_counter (
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        field_id text NOT NULL,
        period text NOT NULL,
        last_value bigint NOT NULL,
        PRIMARY KEY (form_id, field_id, period)
      )`);
    await q.query(`
      CREATE TABLE record_history (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        record_id uuid NOT NULL,
        version integer NOT NULL,
        kind text NOT NULL,
        actor_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        at timestamptz NOT NULL DEFAULT now(),
        changes jsonb NOT NULL DEFAULT '[]',
        detail jsonb
      )`);
    await q.query(
      `CREATE INDEX record_history_record_idx ON record_history (form_id, record_id, id)`,
    );
    await q.query(`
      CREATE TABLE lossy_value (
        id bigserial PRIMARY KEY,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        record_id uuid NOT NULL,
        field_id text NOT NULL,
        from_type text NOT NULL,
        to_type text NOT NULL,
        form_version integer NOT NULL,
        original jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX lossy_value_record_idx ON lossy_value (form_id, record_id)`);
    await q.query(`
      CREATE TABLE approval (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        record_id uuid NOT NULL,
        approval_key text NOT NULL,
        transition_id text NOT NULL,
        step_id text,
        status text NOT NULL DEFAULT 'pending',
        submitted_by uuid REFERENCES member(id) ON DELETE SET NULL,
        assignees uuid[] NOT NULL DEFAULT '{}',
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX approval_assignees_idx ON approval USING gin (assignees) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX approval_key_idx ON approval (form_id, record_id, approval_key)`,
    );
    await q.query(`
      CREATE TABLE report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        key text,
        name jsonb NOT NULL,
        spec jsonb NOT NULL,
        chart jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE dashboard (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        key text,
        name jsonb NOT NULL,
        layout jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        workspace_id uuid REFERENCES workspace(id) ON DELETE CASCADE,
        actor_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        action text NOT NULL,
        target jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'dashboard',
      'report',
      'approval',
      'lossy_value',
      'record_history',
      'serial_counter',
      'flow_version',
      'flow',
      'form_version',
      'form',
      'app',
      'invitation',
      'refresh_token',
      'member_role',
      'role',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`ALTER TABLE team DROP CONSTRAINT team_manager_fk`);
    await q.query(`DROP TABLE member`);
    await q.query(`DROP TABLE team`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE workspace`);
  }
}
