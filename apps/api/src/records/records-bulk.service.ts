import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService } from '../database/database.service.js';
import type { BulkCreateDto, BulkUpdateDto } from './dto/records.dto.js';
import { presentRecord } from './record-access.js';
import type { RecordResponse } from './record-shape.js';
import { RecordsService } from './records.service.js';

/** Many records in one transaction: all apply or none; errors name the record's index. */
@Injectable()
export class RecordsBulkService {
  constructor(
    private readonly db: DatabaseService,
    private readonly records: RecordsService,
  ) {}

  async create(
    auth: AuthContext,
    formId: string,
    dto: BulkCreateDto,
  ): Promise<{ items: RecordResponse[] }> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.records.context(tx, auth, formId, 'create');
      const items: RecordResponse[] = [];
      for (const [index, input] of dto.records.entries()) {
        const record = await atIndex(index, () => this.records.insert(ctx, auth, input.values));
        items.push(presentRecord(ctx.form, record, ctx.access, auth));
      }
      return { items };
    });
  }

  async update(
    auth: AuthContext,
    formId: string,
    dto: BulkUpdateDto,
  ): Promise<{ items: RecordResponse[] }> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.records.context(tx, auth, formId, 'update');
      const items: RecordResponse[] = [];
      for (const [index, input] of dto.records.entries()) {
        const record = await atIndex(index, () =>
          this.records.change(ctx, auth, input.id, input.version, input.values),
        );
        items.push(presentRecord(ctx.form, record, ctx.access, auth));
      }
      return { items };
    });
  }
}

async function atIndex<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) {
      throw new ApiError(
        error.code,
        `Record ${index}: ${error.message}`,
        error.errors.map((e) => ({
          ...e,
          path: e.path === '' ? `records.${index}` : `records.${index}.${e.path}`,
        })),
        error.extensions,
      );
    }
    throw error;
  }
}
