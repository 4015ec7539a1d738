import { Injectable } from '@nestjs/common';
import type { StoredRecord } from './record-access.js';
import type { Actor, WriteContext } from './records.service.js';

export type AfterCreateHook = (
  ctx: WriteContext,
  record: StoredRecord,
  actor: Actor,
) => Promise<StoredRecord>;

/**
 * Lets other modules join a record's creation inside its transaction (the
 * flow module starts the form's flow) without the records module depending on them.
 */
@Injectable()
export class RecordHooks {
  private readonly afterCreate: AfterCreateHook[] = [];

  onCreated(hook: AfterCreateHook): void {
    this.afterCreate.push(hook);
  }

  async created(ctx: WriteContext, record: StoredRecord, actor: Actor): Promise<StoredRecord> {
    let current = record;
    for (const hook of this.afterCreate) current = await hook(ctx, current, actor);
    return current;
  }
}
