import { Injectable } from '@nestjs/common';
import type { Sql } from '../database/database.service.js';

export type RecordEventType =
  | 'record.created'
  | 'record.updated'
  | 'record.deleted'
  | 'record.restored'
  | 'record.stage_changed'
  | 'approval.decided';

export type OutboxEvent = {
  readonly workspaceId: string;
  readonly appId: string;
  readonly formId: string;
  readonly recordId: string;
  readonly type: RecordEventType;
  readonly payload: Readonly<Record<string, unknown>>;
  /** How many rule cascades led here (0 for a user's own change). */
  readonly depth?: number;
};

/**
 * Writes events into the outbox table inside the caller's transaction, so an
 * event exists if and only if its change committed. The relay delivers them
 * to the queue afterwards.
 */
@Injectable()
export class OutboxService {
  async add(tx: Sql, event: OutboxEvent): Promise<string> {
    const [row] = await tx.query<{ event_id: string }>(
      `INSERT INTO outbox_event (workspace_id, app_id, form_id, record_id, type, payload, depth)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING event_id`,
      [
        event.workspaceId,
        event.appId,
        event.formId,
        event.recordId,
        event.type,
        JSON.stringify(event.payload),
        event.depth ?? 0,
      ],
    );
    if (row === undefined) throw new Error('outbox insert returned nothing');
    await tx.query(`SELECT pg_notify('trellis_outbox', '')`);
    return row.event_id;
  }
}
