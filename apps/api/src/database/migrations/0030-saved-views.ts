import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved views of a form's record list (apps/api/src/views): a name with the
 * filter, sort, search, visible columns and list/kanban mode the reader chose.
 * A view belongs to the member who saved it; a shared view is seen by everyone
 * who may read the form and changed only by its managers.
 */
export class SavedViews1795420800030 implements MigrationInterface {
  name = 'SavedViews1795420800030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saved_view (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
        form_id uuid NOT NULL REFERENCES form(id) ON DELETE CASCADE,
        owner_member_id uuid REFERENCES member(id) ON DELETE SET NULL,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
        shared boolean NOT NULL DEFAULT false,
        filter jsonb,
        sort text,
        search text,
        columns jsonb,
        mode text NOT NULL DEFAULT 'list' CHECK (mode IN ('list', 'kanban')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX saved_view_form_idx ON saved_view (workspace_id, form_id, shared, owner_member_id)`,
    );
    // names are unique among the shared views of a form, and among each member's own views of it
    await q.query(
      `CREATE UNIQUE INDEX saved_view_shared_name_key ON saved_view (form_id, lower(name)) WHERE shared`,
    );
    await q.query(
      `CREATE UNIQUE INDEX saved_view_personal_name_key ON saved_view (form_id, owner_member_id, lower(name)) WHERE NOT shared`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS saved_view`);
  }
}
