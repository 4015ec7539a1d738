import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The automation runtime: rules and their run log, the idempotency ledger of
 * rule actions, round-robin cursors, working calendars, timer claims, and the
 * wake-up signals (pg_notify from triggers, so that every process learns of a
 * new timer or notification the moment its transaction commits).
 */
export class Automation1795420800010 implements MigrationInterface {
  name = 'Automation1795420800010';

  async up(q: QueryRunner): Promise<void> {
    // The relay claims outbox rows in persisted batches: a batch re-sent after a crash keeps its job ids.
    await q.query(
      `ALTER TABLE outbox_event ADD COLUMN relay_batch uuid, ADD COLUMN relay_claimed_at timestamptz`,
    );
    await q.query(
      `CREATE INDEX outbox_event_relay_batch_idx ON outbox_event (relay_batch) WHERE sent_at IS NULL AND relay_batch IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        key text NOT NULL,
        definition jsonb NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        trigger_type text NOT NULL,
        author_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (app_id, key)
      )`);
    await q.query(`CREATE INDEX rule_form_idx ON rule (form_id) WHERE enabled`);
    await q.query(`CREATE INDEX rule_workspace_idx ON rule (workspace_id, app_id)`);

    await q.query(`
      CREATE TABLE rule_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid NOT NULL REFERENCES app(id) ON DELETE CASCADE,
        rule_id uuid NOT NULL REFERENCES rule(id) ON DELETE CASCADE,
        trigger_key text NOT NULL,
        trigger jsonb NOT NULL,
        record_id uuid,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'dead', 'skipped')),
        explanation jsonb,
        plan jsonb,
        cascade jsonb,
        actions jsonb NOT NULL DEFAULT '[]',
        error jsonb,
        attempts integer NOT NULL DEFAULT 1,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (rule_id, trigger_key)
      )`);
    await q.query(`CREATE INDEX rule_run_rule_idx ON rule_run (rule_id, started_at DESC, id)`);
    await q.query(
      `CREATE INDEX rule_run_failed_idx ON rule_run (app_id, started_at DESC) WHERE status IN ('failed', 'dead')`,
    );

    // One row per performed action: the unique key (event + rule + action index) makes a redelivered job a no-op.
    await q.query(`
      CREATE TABLE action_execution (
        idempotency_key text PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        rule_id uuid NOT NULL REFERENCES rule(id) ON DELETE CASCADE,
        run_id uuid,
        action_index integer NOT NULL,
        action_type text NOT NULL,
        result jsonb,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE assignment_cursor (
        rule_id uuid NOT NULL REFERENCES rule(id) ON DELETE CASCADE,
        action_index integer NOT NULL,
        position bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (rule_id, action_index)
      )`);

    await q.query(`
      CREATE TABLE working_calendar (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        team_id uuid REFERENCES team(id) ON DELETE CASCADE,
        calendar jsonb NOT NULL,
        updated_by uuid REFERENCES member(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX working_calendar_workspace_idx ON working_calendar (workspace_id) WHERE team_id IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX working_calendar_team_idx ON working_calendar (team_id) WHERE team_id IS NOT NULL`,
    );

    // Timers are claimed atomically: scheduled -> firing (by one job id) -> fired.
    await q.query(`
      ALTER TABLE scheduled_timer
        ADD COLUMN claimed_by text,
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text`);
    await q.query(`ALTER TABLE scheduled_timer DROP CONSTRAINT scheduled_timer_status_check`);
    await q.query(
      `ALTER TABLE scheduled_timer ADD CONSTRAINT scheduled_timer_status_check CHECK (status IN ('scheduled', 'firing', 'fired', 'cancelled', 'failed'))`,
    );
    await q.query(
      `CREATE INDEX scheduled_timer_firing_idx ON scheduled_timer (claimed_at) WHERE status = 'firing'`,
    );
    await q.query(
      `CREATE INDEX scheduled_timer_rule_idx ON scheduled_timer (rule_id) WHERE status = 'scheduled'`,
    );
    await q.query(`
      CREATE FUNCTION trellis_timer_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'scheduled' THEN
          PERFORM pg_notify('trellis_timer', NEW.id::text || ' ' || (floor(extract(epoch FROM NEW.due_at) * 1000))::bigint::text);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER scheduled_timer_notify AFTER INSERT OR UPDATE OF due_at, status ON scheduled_timer FOR EACH ROW EXECUTE FUNCTION trellis_timer_notify()`,
    );
    await q.query(`
      CREATE FUNCTION trellis_notification_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('trellis_notification', json_build_object('m', NEW.member_id, 'id', NEW.id)::text);
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER notification_notify AFTER INSERT ON notification FOR EACH ROW EXECUTE FUNCTION trellis_notification_notify()`,
    );

    await q.query(`
      CREATE TABLE webhook_endpoint (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('webhook', 'wecom', 'dingtalk', 'feishu')),
        url text NOT NULL,
        secret text,
        owner_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, url)
      )`);
    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
        rule_id uuid REFERENCES rule(id) ON DELETE SET NULL,
        run_id uuid,
        idempotency_key text NOT NULL UNIQUE,
        event_type text NOT NULL,
        body jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        delivered_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX webhook_delivery_endpoint_idx ON webhook_delivery (endpoint_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE mail_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        to_address text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE dead_letter (
        id bigserial PRIMARY KEY,
        workspace_id uuid REFERENCES workspace(id) ON DELETE CASCADE,
        queue text NOT NULL,
        job_id text NOT NULL,
        name text NOT NULL,
        data jsonb NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letter`);
    await q.query(`DROP TABLE mail_message`);
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook_endpoint`);
    await q.query(`DROP TRIGGER notification_notify ON notification`);
    await q.query(`DROP FUNCTION trellis_notification_notify()`);
    await q.query(`DROP TRIGGER scheduled_timer_notify ON scheduled_timer`);
    await q.query(`DROP FUNCTION trellis_timer_notify()`);
    await q.query(`DROP INDEX scheduled_timer_rule_idx`);
    await q.query(`DROP INDEX scheduled_timer_firing_idx`);
    await q.query(`ALTER TABLE scheduled_timer DROP CONSTRAINT scheduled_timer_status_check`);
    await q.query(
      `ALTER TABLE scheduled_timer ADD CONSTRAINT scheduled_timer_status_check CHECK (status IN ('scheduled', 'fired', 'cancelled'))`,
    );
    await q.query(
      `ALTER TABLE scheduled_timer DROP COLUMN claimed_by, DROP COLUMN claimed_at, DROP COLUMN attempts, DROP COLUMN last_error`,
    );
    await q.query(`DROP TABLE working_calendar`);
    await q.query(`DROP TABLE assignment_cursor`);
    await q.query(`DROP TABLE action_execution`);
    await q.query(`DROP TABLE rule_run`);
    await q.query(`DROP TABLE rule`);
    await q.query(`DROP INDEX outbox_event_relay_batch_idx`);
    await q.query(`ALTER TABLE outbox_event DROP COLUMN relay_batch, DROP COLUMN relay_claimed_at`);
  }
}
