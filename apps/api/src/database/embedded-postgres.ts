import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = {
  /** A postgres:// URL the ordinary `pg` driver connects to. */
  readonly url: string;
  stop(): Promise<void>;
};

/**
 * PGlite served over the PostgreSQL wire protocol on a loopback port, so the
 * same `pg` driver, SQL and migrations run as against a real server.
 *
 * PGlite is a single backend session shared by every socket connection:
 * session settings made by one client are seen by all. Startup parameters are
 * ignored, so BullMQ's PostgreSQL backend cannot pin its search_path; we put
 * its schema on the database-wide search_path instead (after public, so our
 * own tables are created in public).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number } = {},
): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { pg_trgm, uuid_ossp } });
  await db.exec(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
    ALTER DATABASE postgres SET search_path TO public, bullmq;
    SET search_path TO public, bullmq;
  `);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: 200,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
