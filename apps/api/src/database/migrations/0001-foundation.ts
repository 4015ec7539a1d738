import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795420800001 implements MigrationInterface {
  name = 'Foundation1795420800001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE instance_setting (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE instance_setting`);
  }
}
