import type { LogicalJob } from './job-bus.js';

/** Queue names (BullMQ forbids ':' in them). */
export const EVENTS_QUEUE = 'trellis-events';
export const TIMERS_QUEUE = 'trellis-timers';
export const DELIVERIES_QUEUE = 'trellis-deliveries';

/** An outbox row as it travels to the workers. */
export type OutboxEventJob = {
  readonly seq: string;
  readonly eventId: string;
  readonly workspaceId: string;
  readonly appId: string | null;
  readonly formId: string | null;
  readonly recordId: string | null;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly depth: number;
  readonly createdAt: string;
};

/** A timer came due (or may have): the job only fires it if it can claim it. */
export type TimerJob = { readonly timerId: string; readonly dueMs: number };

/** A webhook/robot delivery or an e-mail, written by an action in the same transaction as its ledger row. */
export type DeliveryJob = { readonly kind: 'webhook' | 'email'; readonly id: string };

/** Replays one stored rule run (from the API's replay route, when it hands work to the workers). */
export type ReplayJob = { readonly runId: string };

export function isOutboxEventJob(job: LogicalJob): job is LogicalJob<OutboxEventJob> {
  const data = job.data as Partial<OutboxEventJob> | null;
  return typeof data === 'object' && data !== null && typeof data.eventId === 'string';
}

/** Outbox rows of these types are deliveries, not record events. */
export function queueOfOutboxType(type: string): string {
  return type.startsWith('delivery.') ? DELIVERIES_QUEUE : EVENTS_QUEUE;
}
