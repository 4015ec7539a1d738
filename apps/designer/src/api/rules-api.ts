import type { ExplainNode, RuleDefinition } from '@trellis/rule-engine';
import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

export type { ExplainNode, RuleDefinition };

/** A stored rule (GET /api/apps/:appId/rules): its rule-engine definition and the API's bookkeeping. */
export type StoredRule = {
  id: string;
  appId: string;
  formId: string;
  key: string;
  name: LocalizedText;
  enabled: boolean;
  triggerType: string;
  definition: Partial<RuleDefinition> & Record<string, unknown>;
  authorMemberId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** What POST /api/rules/:ruleId/test answers: performing nothing, what would happen and why. */
export type RuleTestResult = {
  event: string;
  triggered: boolean;
  matched: boolean;
  conditionHolds: boolean | null;
  explanation: ExplainNode | null;
  actions: Array<Record<string, unknown>>;
  timers: Array<{ key: string; dueAt: string }>;
  errors: Array<{ code: string; message: string; path: string }>;
};

export type RuleRunAction = {
  index: number;
  type: string;
  status: 'applied' | 'already_applied' | 'skipped' | 'failed';
  error?: { code: string; message: string };
  startedAt: string;
  durationMs: number;
};

export type RuleRun = {
  id: string;
  ruleId: string;
  status: 'running' | 'succeeded' | 'failed' | 'dead' | 'skipped';
  trigger: Record<string, unknown>;
  recordId: string | null;
  explanation: ExplainNode | null;
  actions: RuleRunAction[];
  error: { code: string; message: string } | null;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
};

export const rulesApi = {
  list: (appId: string, signal?: AbortSignal) =>
    api.get<StoredRule[]>(`/api/apps/${appId}/rules`, { signal }),
  create: (appId: string, definition: RuleDefinition) =>
    api.post<StoredRule>(`/api/apps/${appId}/rules`, { definition }),
  update: (appId: string, ruleId: string, definition: RuleDefinition, version: number) =>
    api.put<StoredRule>(`/api/apps/${appId}/rules/${ruleId}`, { definition, version }),
  remove: (appId: string, ruleId: string) => api.delete(`/api/apps/${appId}/rules/${ruleId}`),
  test: (ruleId: string, record: Record<string, unknown>) =>
    api.post<RuleTestResult>(`/api/rules/${ruleId}/test`, { record }),
  runs: (ruleId: string, signal?: AbortSignal) =>
    api.get<RuleRun[]>(`/api/rules/${ruleId}/runs`, { signal, query: { limit: 50 } }),
  replay: (runId: string) => api.post<RuleRun>(`/api/rule-runs/${runId}/replay`),
};
