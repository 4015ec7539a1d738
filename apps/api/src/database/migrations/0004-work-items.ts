import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where flow and rule effects land: tasks, in-app notifications and timers.
 * Every row an effect creates carries an idempotency key with a unique
 * constraint, because the queue delivers at least once.
 */
export class WorkItems1795420800004 implements MigrationInterface {
  name = 'WorkItems1795420800004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid REFERENCES app(id) ON DELETE CASCADE,
        form_id uuid REFERENCES form(id) ON DELETE CASCADE,
        record_id uuid,
        title text NOT NULL,
        description text,
        assignee_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        due_at timestamptz,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        source text NOT NULL DEFAULT 'user',
        idempotency_key text UNIQUE,
        created_by uuid REFERENCES member(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz
      )`);
    await q.query(`CREATE INDEX task_assignee_idx ON task (assignee_member_id, status, due_at)`);
    await q.query(`CREATE INDEX task_record_idx ON task (form_id, record_id)`);
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        member_id uuid NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        kind text NOT NULL,
        title text NOT NULL,
        body text,
        link jsonb,
        idempotency_key text,
        read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (member_id, idempotency_key)
      )`);
    await q.query(
      `CREATE INDEX notification_member_idx ON notification (member_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE scheduled_timer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        key text NOT NULL UNIQUE,
        kind text NOT NULL,
        form_id uuid REFERENCES form(id) ON DELETE CASCADE,
        record_id uuid,
        rule_id uuid,
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'fired', 'cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        fired_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX scheduled_timer_due_idx ON scheduled_timer (due_at) WHERE status = 'scheduled'`,
    );
    await q.query(
      `CREATE INDEX scheduled_timer_record_idx ON scheduled_timer (form_id, record_id) WHERE status = 'scheduled'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_timer`);
    await q.query(`DROP TABLE notification`);
    await q.query(`DROP TABLE task`);
  }
}
