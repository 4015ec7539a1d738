import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Bundle, type generateSampleData, normalizeBundle } from '@trellis/app-bundle';
import { readBundleSource } from '../../src/templates/read-bundle-source.js';
import { waitFor } from './automation.js';
import type { HttpClient, Session } from './http.js';
import { REPO_ROOT } from './spawn-server.js';
import type { TestApp } from './test-app.js';

export type RecordBody = {
  id: string;
  version: number;
  ownerId: string | null;
  stage: string | null;
  createdAt: string;
  values: Record<string, unknown>;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Asia/Shanghai has no daylight saving: local time is UTC+8 all year. */
const SHANGHAI = 8 * HOUR;

export async function templateBundle(): Promise<Bundle> {
  const source = await readBundleSource(join(REPO_ROOT, 'templates', 'customer-follow-up'));
  assert.ok(source.ok, JSON.stringify(source));
  const normalized = normalizeBundle(source.bundle);
  assert.ok(!Array.isArray(normalized), JSON.stringify(normalized));
  return normalized.bundle;
}

/** Imports the template with sample data at a fraction of its size (the HTTP body has no scale). */
export async function importWithSample(
  t: TestApp,
  session: Session,
  bundle: Bundle,
  now: string,
  sampleScale: number,
): Promise<string> {
  const { TemplatesService } = await import('../../src/templates/templates.service.js');
  const result = await t.app.get(TemplatesService).import(
    {
      userId: session.user.id,
      memberId: session.member.id,
      workspaceId: session.workspace.id,
      schemaName: '',
      isOwner: true,
      teamId: null,
      locale: 'zh-CN',
    },
    bundle,
    { withSampleData: true, sampleScale, now },
  );
  return result.appId;
}

/** The Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI).toISOString().slice(0, 10);
}

/** 09:00 Shanghai time on the calendar day `days` after the Shanghai date of `ms`. */
export function nineAmShanghai(ms: number, days: number): number {
  return Date.parse(`${shanghaiDate(ms)}T09:00:00+08:00`) + days * DAY;
}

/** The first 09:00 Shanghai strictly after `ms` (the next tick of the template's daily rules). */
export function nextNineAm(ms: number): number {
  const today = nineAmShanghai(ms, 0);
  return today > ms ? today : today + DAY;
}

type Generated = ReturnType<typeof generateSampleData>;

/** [start, end) of the Shanghai month / quarter holding `ms`, in epoch ms. */
function periodOf(ms: number, unit: 'month' | 'quarter'): [number, number] {
  const local = new Date(ms + SHANGHAI);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const first = unit === 'month' ? month : month - (month % 3);
  const length = unit === 'month' ? 1 : 3;
  return [Date.UTC(year, first, 1) - SHANGHAI, Date.UTC(year, first + length, 1) - SHANGHAI];
}

function within(value: unknown, [from, to]: [number, number]): boolean {
  if (typeof value !== 'string') return false;
  const at = Date.parse(value);
  return at >= from && at < to;
}

/**
 * A "reached" funnel counted by hand from the generated records: a record created this quarter
 * counts at every listed stage up to its current one; records elsewhere (lost) do not count.
 */
export function expectedFunnel(
  data: Generated,
  form: string,
  stages: readonly string[],
  nowMs: number,
): Record<string, number> {
  const quarter = periodOf(nowMs, 'quarter');
  const counts: Record<string, number> = Object.fromEntries(stages.map((s) => [s, 0]));
  for (const record of data.records(form)) {
    if (!within(record.createdAt, quarter)) continue;
    const at = stages.indexOf(record.stage ?? '');
    if (at < 0) continue;
    for (const stage of stages.slice(0, at + 1)) counts[stage] = (counts[stage] ?? 0) + 1;
  }
  return counts;
}

/** Won deals closed this month per owner, summed by hand: owner's name -> [amount, deals]. */
export function expectedLeaderboard(data: Generated, nowMs: number): Map<string, [number, number]> {
  const month = periodOf(nowMs, 'month');
  const board = new Map<string, [number, number]>();
  for (const record of data.records('opportunity')) {
    if (record.stage !== 'won' || !within(record.values['closed_at'], month)) continue;
    const owner = data.members.find((m) => m.id === record.ownerId)?.name ?? 'null';
    const [amount, deals] = board.get(owner) ?? [0, 0];
    board.set(owner, [
      Math.round((amount + Number(record.values['amount'])) * 100) / 100,
      deals + 1,
    ]);
  }
  return board;
}

/** Creates a record through the API, asserting 201. */
export async function create(
  as: HttpClient,
  formId: string,
  values: Record<string, unknown>,
): Promise<RecordBody> {
  const response = await as.post<RecordBody>(`/api/forms/${formId}/records`, { values });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Reads a record and changes some of its values with compare-and-set, asserting 200. */
export async function patch(
  as: HttpClient,
  formId: string,
  id: string,
  values: Record<string, unknown>,
): Promise<RecordBody> {
  const current = await as.get<RecordBody>(`/api/forms/${formId}/records/${id}`);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const response = await as.patch<RecordBody>(`/api/forms/${formId}/records/${id}`, {
    values,
    version: current.body.version,
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

/** Moves a record through its flow, asserting 200. */
export async function move(
  as: HttpClient,
  formId: string,
  id: string,
  event: string,
  values?: Record<string, unknown>,
): Promise<RecordBody> {
  const response = await as.post<RecordBody>(`/api/forms/${formId}/records/${id}/transitions`, {
    event,
    ...(values !== undefined ? { values } : {}),
  });
  assert.equal(response.status, 200, `${event}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export type ReportRow = { keys: Record<string, unknown>; values: Record<string, unknown> };

/** Runs one of the app's saved reports (by its template key) as the viewer, asserting 200. */
export async function runReport(as: HttpClient, appId: string, key: string): Promise<ReportRow[]> {
  const reports = await as.get<Array<{ id: string; key: string }>>(`/api/apps/${appId}/reports`);
  const report = reports.body.find((r) => r.key === key);
  assert.ok(report !== undefined, key);
  const response = await as.post<{ result: { rows: ReportRow[] } }>(
    `/api/reports/${report.id}/run`,
  );
  assert.equal(response.status, 200, JSON.stringify(response.body).slice(0, 1000));
  return response.body.result.rows;
}

export type Approval = { id: string; recordId: string; assignees: string[] };

/** Waits for the record's pending approval in this member's inbox (GET /api/approvals). */
export async function approvalFor(
  http: HttpClient,
  session: Session,
  recordId: string,
): Promise<Approval> {
  return waitFor(
    async () =>
      (await http.get<Approval[]>('/api/approvals', { token: session.accessToken })).body.find(
        (a) => a.recordId === recordId,
      ),
    `an approval for ${session.user.name}`,
  );
}

/** Approves as this member, asserting 200; answers the record after the decision. */
export async function approve(
  http: HttpClient,
  session: Session,
  approval: Approval,
): Promise<RecordBody> {
  const r = await http.post<RecordBody>(
    `/api/approvals/${approval.id}/decision`,
    { kind: 'approve', comment: '同意' },
    { token: session.accessToken },
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}
