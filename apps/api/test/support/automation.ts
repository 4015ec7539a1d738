import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { HttpClient } from './http.js';

/** Polls until `probe` returns something truthy (never a fixed sleep); fails with the last value seen. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 50 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      assert.fail(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A SQL client on the test database (for assertions on what the workers wrote). */
export async function sqlClient(
  url: string,
): Promise<pg.Client & { rows<T>(text: string, values?: unknown[]): Promise<T[]> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return Object.assign(client, {
    async rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
      return (await client.query(text, values)).rows as T[];
    },
  });
}

export type ReceivedRequest = {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
};

/** A local HTTP receiver on 127.0.0.1 (as http://localhost:PORT) answering with a scripted status (and body) per request. */
export async function startReceiver(
  respond: (request: ReceivedRequest, index: number) => { status: number; body?: string } = () => ({
    status: 200,
  }),
): Promise<{ url: string; requests: ReceivedRequest[]; close(): Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(received);
      const answer = respond(received, requests.length - 1);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // reached through the name the tests allow (OUTBOUND_ALLOW_HOSTS=localhost); it resolves to 127.0.0.1
    url: `http://localhost:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ReceivedMail = { from: string; to: string[]; data: string };

/** A local SMTP server (smtp-server) on 127.0.0.1 collecting what arrives. */
export async function startSmtp(): Promise<{
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Saves a rule and returns it (asserting 201). */
export async function createRule(
  http: HttpClient,
  appId: string,
  definition: Record<string, unknown>,
): Promise<{ id: string; key: string; version: number }> {
  const response = await http.post<{ id: string; key: string; version: number }>(
    `/api/apps/${appId}/rules`,
    { definition },
  );
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

export type Notification = {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: Record<string, unknown> | null;
  readAt: string | null;
};

export async function notificationsOf(http: HttpClient, token: string): Promise<Notification[]> {
  const response = await http.get<{ items: Notification[] }>('/api/me/notifications?limit=200', {
    token,
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body.items;
}

/** The lead form of the follow-up template (trimmed): where new leads land and SLAs apply. */
export const LEAD_SCHEMA = {
  fields: [
    {
      id: 'company_name',
      type: 'text',
      label: { 'zh-CN': '公司名称', en: 'Company' },
      required: true,
    },
    { id: 'contact_name', type: 'text', label: { 'zh-CN': '联系人', en: 'Contact' } },
    { id: 'mobile', type: 'text', label: { 'zh-CN': '手机', en: 'Mobile' } },
    {
      id: 'source',
      type: 'select',
      label: { 'zh-CN': '来源', en: 'Source' },
      options: [
        { value: 'website', label: { 'zh-CN': '官网', en: 'Website' } },
        { value: 'referral', label: { 'zh-CN': '转介绍', en: 'Referral' } },
        { value: 'exhibition', label: { 'zh-CN': '展会', en: 'Exhibition' } },
      ],
    },
    {
      id: 'contacted_at',
      type: 'datetime',
      label: { 'zh-CN': '首次联系时间', en: 'Contacted at' },
    },
    {
      id: 'next_follow_up_at',
      type: 'datetime',
      label: { 'zh-CN': '下次跟进时间', en: 'Next follow-up' },
    },
    { id: 'score', type: 'number', label: { 'zh-CN': '评分', en: 'Score' } },
    {
      id: 'grade',
      type: 'select',
      label: { 'zh-CN': '等级', en: 'Grade' },
      options: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
    },
    { id: 'remark', type: 'textarea', label: { 'zh-CN': '备注', en: 'Remark' } },
  ],
};

export const OPPORTUNITY_SCHEMA = {
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Title' }, required: true },
    { id: 'customer_name', type: 'text', label: { 'zh-CN': '客户', en: 'Customer' } },
    { id: 'budget', type: 'number', label: { 'zh-CN': '预算（万元）', en: 'Budget' } },
  ],
};

/** Stages of an opportunity; stalled in prospecting for 14 days escalates to the owner's manager. */
export const OPPORTUNITY_FLOW = {
  id: 'opportunity',
  label: { 'zh-CN': '商机阶段', en: 'Opportunity stages' },
  initial: 'prospecting',
  states: [
    {
      id: 'prospecting',
      label: { 'zh-CN': '初步接洽', en: 'Prospecting' },
      kind: 'normal',
      order: 1,
      timers: [
        {
          id: 'stalled',
          label: { 'zh-CN': '初步接洽超过 14 天', en: 'Prospecting for 14 days' },
          after: 'P14D',
          clock: 'calendar',
          action: { kind: 'escalate', levels: 1 },
        },
      ],
    },
    {
      id: 'needs_analysis',
      label: { 'zh-CN': '需求分析', en: 'Needs analysis' },
      kind: 'normal',
      order: 2,
    },
    { id: 'proposal', label: { 'zh-CN': '方案报价', en: 'Proposal' }, kind: 'normal', order: 3 },
    {
      id: 'contract_signed',
      label: { 'zh-CN': '合同签订', en: 'Contract signed' },
      kind: 'won',
      order: 4,
    },
    { id: 'lost', label: { 'zh-CN': '输单', en: 'Lost' }, kind: 'lost', order: 5 },
  ],
  transitions: [
    { id: 'analyse', from: 'prospecting', to: 'needs_analysis', event: 'analyse' },
    { id: 'propose', from: 'needs_analysis', to: 'proposal', event: 'propose' },
    { id: 'sign', from: 'proposal', to: 'contract_signed', event: 'sign' },
    { id: 'lose', from: '*', to: 'lost', event: 'lose' },
  ],
};

/** Environment for a test API whose process also runs the automation worker, tuned for quick tests. */
export function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TRELLIS_WORKER: 'in-process',
    OUTBOX_POLL_MS: '200',
    SCHEDULER_INTERVAL_MS: '500',
    QUEUE_LOCK_MS: '3000',
    JOB_ATTEMPTS: '3',
    JOB_BACKOFF_MS: '50',
    OUTBOUND_ALLOW_HOSTS: 'localhost',
    ...extra,
  };
}

export type SpawnedWorker = {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<string>;
};

/** Starts `node apps/api/dist/src/worker.js` (what `npm run worker` runs) and waits until it is running. */
export async function spawnWorker(
  env: Record<string, string>,
  { waitForStart = true, timeoutMs = 60_000 } = {},
): Promise<SpawnedWorker> {
  const { spawn } = await import('node:child_process');
  const { join } = await import('node:path');
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(import.meta.dirname, '..', '..', 'src', 'worker.js')],
    {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? String(code))),
  );
  if (waitForStart) {
    const started = await Promise.race([
      waitFor(async () => output.includes('Trellis worker is running'), 'the worker to start', {
        timeoutMs,
      }).then(() => true),
      exited.then(() => false),
    ]);
    if (!started) assert.fail(`the worker exited before starting:\n${output}`);
  }
  return {
    process: child,
    output: () => output,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
