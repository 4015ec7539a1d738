import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { DATABASE_URL } from '../common/tokens.js';

/**
 * A few plain `pg` connections for what TypeORM's query runner cannot do:
 * COPY ... FROM STDIN into staging tables. Everything else goes through
 * DatabaseService.
 */
@Injectable()
export class ImportDatabase implements OnModuleDestroy {
  readonly pool: pg.Pool;

  constructor(@Inject(DATABASE_URL) url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'trellis-import' });
    // an idle client losing its connection must not crash the process
    this.pool.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
