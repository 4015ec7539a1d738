/** The record list of a form filtered by a report cell's drill-down condition. */
export function drillPath(appId: string, formId: string, condition: unknown): string {
  return `/apps/${appId}/forms/${formId}?filter=${encodeURIComponent(JSON.stringify(condition))}`;
}
