import type { PendingApproval } from '@trellis/flow-engine';
import { api } from './api-client.js';
import type { TrellisRecord } from './records-api.js';

export type ApprovalBox = 'pending' | 'submitted' | 'decided';

/** One approval of the inbox; `detail` is the flow engine's pending approval (steps, decisions). */
export type ApprovalItem = {
  id: string;
  formId: string;
  recordId: string;
  transitionId: string;
  stepId: string | null;
  status: string;
  submittedBy: string | null;
  assignees: string[];
  createdAt: string;
  detail: unknown;
};

export type DecisionRequest =
  | { kind: 'approve' | 'reject' | 'return' | 'withdraw' | 'resubmit'; comment?: string }
  | { kind: 'reassign' | 'addSigner'; user: string; comment?: string };

/** The flow engine's approval state, when `detail` has that shape. */
export function pendingApprovalOf(detail: unknown): Partial<PendingApproval> | null {
  return typeof detail === 'object' && detail !== null && !Array.isArray(detail)
    ? (detail as Partial<PendingApproval>)
    : null;
}

export const approvalsApi = {
  list: (status: ApprovalBox, signal?: AbortSignal) =>
    api.get<ApprovalItem[]>('/api/approvals', { query: { status }, signal }),
  decide: (id: string, decision: DecisionRequest) =>
    api.post<TrellisRecord>(`/api/approvals/${id}/decision`, decision),
};
