import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';

export type Row = Record<string, unknown>;

/** Raw, parametrised SQL. Values are always bind parameters ($1, $2, ...); never concatenate user text. */
export type Sql = {
  query<T extends Row = Row>(text: string, values?: readonly unknown[]): Promise<T[]>;
  /** Like query, but also returns how many rows an UPDATE/DELETE touched. */
  execute<T extends Row = Row>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: T[]; affected: number }>;
};

export type Tx = Sql;

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * Test-only record of every statement text sent (never the values): the
 * security battery checks that user data reaches PostgreSQL only as bind
 * parameters. Enabled with TRELLIS_SQL_TRACE=1, which production refuses.
 */
export const statementTrace: { enabled: boolean; texts: string[] } = { enabled: false, texts: [] };

function sqlOf(client: Queryable): Sql {
  const execute = async <T extends Row>(text: string, values?: readonly unknown[]) => {
    if (statementTrace.enabled && statementTrace.texts.length < 200_000)
      statementTrace.texts.push(text);
    const result = await client.query<T>(text, values === undefined ? undefined : [...values]);
    return { rows: result.rows, affected: result.rowCount ?? result.rows.length };
  };
  return {
    query: async <T extends Row>(text: string, values?: readonly unknown[]) =>
      (await execute<T>(text, values)).rows,
    execute,
  };
}

/**
 * The one way the API talks SQL outside TypeORM's migrations and entities:
 * straight on the node-postgres pool TypeORM opened (one pool per process),
 * without an ORM layer in the hot path.
 */
@Injectable()
export class DatabaseService implements Sql {
  private readonly pool: pg.Pool;
  private readonly sql: Sql;

  constructor(readonly dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    this.sql = sqlOf(this.pool);
  }

  query<T extends Row = Row>(text: string, values?: readonly unknown[]): Promise<T[]> {
    return this.sql.query<T>(text, values);
  }

  execute<T extends Row = Row>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: T[]; affected: number }> {
    return this.sql.execute<T>(text, values);
  }

  /** Runs `work` in one transaction; rolls back on any error. */
  async transaction<T>(
    work: (tx: Tx) => Promise<T>,
    isolation: IsolationLevel = 'READ COMMITTED',
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(
        isolation === 'READ COMMITTED' ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation}`,
      );
      const result = await work(sqlOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Quotes an identifier that came from our own metadata (never from user text). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`refusing unsafe identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
