import { normalizeFlow, type FlowDefinition } from '@trellis/flow-engine';

/** A published definition from the API (already normalized), checked once more; null if unusable. */
export function parseFlowDefinition(raw: unknown): FlowDefinition | null {
  if (raw === null || raw === undefined) return null;
  const result = normalizeFlow(raw);
  return Array.isArray(result) ? null : result;
}
