import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: every committed record change writes its event
 * here in the same transaction; a relay moves rows to BullMQ and marks them
 * sent, so a crash between commit and enqueue loses nothing.
 */
export class Outbox1795420800003 implements MigrationInterface {
  name = 'Outbox1795420800003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_event (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        app_id uuid,
        form_id uuid,
        record_id uuid,
        type text NOT NULL,
        payload jsonb NOT NULL,
        depth integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX outbox_event_unsent_idx ON outbox_event (id) WHERE sent_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_event`);
  }
}
