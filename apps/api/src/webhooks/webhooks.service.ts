import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { APP_CONFIG, APP_LOGGER } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { AutomationClock } from '../automation/automation-clock.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type {
  CreateWebhookDto,
  DeliveryResponse,
  UpdateWebhookDto,
  WebhookResponse,
} from './dto/webhooks.dto.js';
import { OutboundGuard, OutboundRefusedError } from './outbound-guard.js';
import {
  type EndpointKind,
  robotAccepted,
  robotRequest,
  type RobotMessage,
  signWebhook,
} from './outbound-messages.js';

type EndpointRow = {
  id: string;
  workspace_id: string;
  name: string;
  kind: EndpointKind;
  url: string;
  secret: string | null;
  owner_member_id: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
};

type DeliveryRow = {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_type: string;
  body: Record<string, unknown>;
  status: string;
  attempts: number;
};

export type Endpoint = Pick<
  EndpointRow,
  'id' | 'workspace_id' | 'kind' | 'url' | 'owner_member_id' | 'enabled'
>;

/** A delivery that failed and should be retried (the job bus backs off exponentially). */
export class DeliveryFailedError extends Error {}

/**
 * Outbound webhooks and chat robots: endpoints (owned by the member who
 * registered them, whose field permissions filter what is sent), deliveries
 * with a stable id, HMAC signatures, retries, and disabling after repeated
 * failures. Every request goes through the SSRF guard.
 */
@Injectable()
export class WebhooksService {
  readonly guard: OutboundGuard;

  constructor(
    private readonly db: DatabaseService,
    private readonly notifications: NotificationsService,
    private readonly clock: AutomationClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.guard = new OutboundGuard(config.outboundAllowHosts);
  }

  async list(auth: AuthContext): Promise<WebhookResponse[]> {
    const rows = await this.db.query<EndpointRow>(
      `SELECT * FROM webhook_endpoint WHERE workspace_id = $1 ORDER BY created_at, id`,
      [auth.workspaceId],
    );
    return rows.map((r) => present(r));
  }

  async get(auth: AuthContext, id: string): Promise<WebhookResponse> {
    return present(await this.row(this.db, auth.workspaceId, id));
  }

  async create(auth: AuthContext, dto: CreateWebhookDto): Promise<WebhookResponse> {
    this.checkUrl(dto.url, dto.kind);
    const secret =
      dto.secret ?? (dto.kind === 'webhook' ? randomBytes(24).toString('base64url') : null);
    try {
      const [row] = await this.db.query<EndpointRow>(
        `INSERT INTO webhook_endpoint (workspace_id, name, kind, url, secret, owner_member_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [auth.workspaceId, dto.name, dto.kind, dto.url, secret, auth.memberId],
      );
      if (row === undefined) throw new Error('insert returned nothing');
      return present(row, secret ?? undefined);
    } catch (error) {
      throw duplicateUrl(error);
    }
  }

  async update(auth: AuthContext, id: string, dto: UpdateWebhookDto): Promise<WebhookResponse> {
    const current = await this.row(this.db, auth.workspaceId, id);
    if (dto.url !== undefined) this.checkUrl(dto.url, current.kind);
    const secret =
      dto.rotateSecret === true
        ? randomBytes(24).toString('base64url')
        : (dto.secret ?? current.secret);
    try {
      const [row] = await this.db.query<EndpointRow>(
        `UPDATE webhook_endpoint SET name = $3, url = $4, secret = $5,
                enabled = $6,
                disabled_reason = CASE WHEN $6 THEN NULL ELSE coalesce(disabled_reason, 'disabled by a member') END,
                consecutive_failures = CASE WHEN $6 AND NOT enabled THEN 0 ELSE consecutive_failures END,
                updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
        [
          auth.workspaceId,
          id,
          dto.name ?? current.name,
          dto.url ?? current.url,
          secret,
          dto.enabled ?? current.enabled,
        ],
      );
      if (row === undefined) throw ApiError.notFound('Webhook');
      return present(row, dto.rotateSecret === true && secret !== null ? secret : undefined);
    } catch (error) {
      throw duplicateUrl(error);
    }
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.row(this.db, auth.workspaceId, id);
    await this.db.query(`DELETE FROM webhook_endpoint WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      id,
    ]);
  }

  async deliveries(auth: AuthContext, id: string): Promise<DeliveryResponse[]> {
    await this.row(this.db, auth.workspaceId, id);
    const rows = await this.db.query<{
      id: string;
      event_type: string;
      status: DeliveryResponse['status'];
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      rule_id: string | null;
      run_id: string | null;
      created_at: Date;
      delivered_at: Date | null;
    }>(
      `SELECT id, event_type, status, attempts, last_status, last_error, rule_id, run_id, created_at, delivered_at
         FROM webhook_delivery WHERE workspace_id = $1 AND endpoint_id = $2 ORDER BY created_at DESC LIMIT 200`,
      [auth.workspaceId, id],
    );
    return rows.map((r) => ({
      id: r.id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
      ruleId: r.rule_id,
      runId: r.run_id,
      createdAt: r.created_at.toISOString(),
      deliveredAt: r.delivered_at?.toISOString() ?? null,
    }));
  }

  /** The endpoint a rule's webhook action names by URL (null when none is registered). */
  async endpointByUrl(sql: Sql, workspaceId: string, url: string): Promise<Endpoint | null> {
    const [row] = await sql.query<Endpoint>(
      `SELECT id, workspace_id, kind, url, owner_member_id, enabled FROM webhook_endpoint WHERE workspace_id = $1 AND url = $2`,
      [workspaceId, url],
    );
    return row ?? null;
  }

  /**
   * Records a delivery inside the caller's transaction (with the action's
   * idempotency key) and its outbox row, so it is sent after commit and never
   * lost. Returns the delivery id, which stays the same on every retry.
   */
  async enqueue(
    tx: Sql,
    input: {
      workspaceId: string;
      endpointId: string;
      ruleId: string | null;
      runId: string | null;
      idempotencyKey: string;
      eventType: string;
      body: (deliveryId: string) => Record<string, unknown>;
    },
  ): Promise<string> {
    const [existing] = await tx.query<{ id: string }>(
      `SELECT id FROM webhook_delivery WHERE idempotency_key = $1`,
      [input.idempotencyKey],
    );
    if (existing !== undefined) return existing.id;
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO webhook_delivery (workspace_id, endpoint_id, rule_id, run_id, idempotency_key, event_type, body)
       VALUES ($1, $2, $3, $4, $5, $6, '{}') RETURNING id`,
      [
        input.workspaceId,
        input.endpointId,
        input.ruleId,
        input.runId,
        input.idempotencyKey,
        input.eventType,
      ],
    );
    if (row === undefined) throw new Error('delivery insert returned nothing');
    await tx.query(`UPDATE webhook_delivery SET body = $2 WHERE id = $1`, [
      row.id,
      JSON.stringify(input.body(row.id)),
    ]);
    await tx.query(
      `INSERT INTO outbox_event (workspace_id, type, payload) VALUES ($1, 'delivery.webhook', $2)`,
      [input.workspaceId, JSON.stringify({ kind: 'webhook', id: row.id })],
    );
    await tx.query(`SELECT pg_notify('trellis_outbox', '')`);
    return row.id;
  }

  /** Sends one delivery attempt. Throws DeliveryFailedError to be retried. */
  async deliver(deliveryId: string): Promise<void> {
    const [delivery] = await this.db.query<DeliveryRow>(
      `SELECT id, workspace_id, endpoint_id, event_type, body, status, attempts FROM webhook_delivery WHERE id = $1`,
      [deliveryId],
    );
    if (delivery === undefined) return;
    if (delivery.status !== 'pending' && delivery.status !== 'failed') return;
    const [endpoint] = await this.db.query<EndpointRow>(
      `SELECT * FROM webhook_endpoint WHERE id = $1`,
      [delivery.endpoint_id],
    );
    if (endpoint === undefined || !endpoint.enabled) {
      await this.db.query(
        `UPDATE webhook_delivery SET status = 'cancelled', last_error = 'the endpoint is disabled' WHERE id = $1`,
        [deliveryId],
      );
      return;
    }
    const body = JSON.stringify(delivery.body);
    const nowMs = this.clock.nowMs();
    const request =
      endpoint.kind === 'webhook'
        ? signWebhook(
            endpoint.url,
            endpoint.secret ?? '',
            delivery.id,
            delivery.event_type,
            body,
            nowMs,
          )
        : robotRequest(
            endpoint.kind,
            endpoint.url,
            endpoint.secret,
            robotMessage(delivery.body),
            nowMs,
          );
    let failure: string | null = null;
    let status: number | null = null;
    try {
      const response = await this.guard.post(request.url, {
        headers: request.headers,
        body: request.body,
      });
      status = response.status;
      if (response.status >= 300 && response.status < 400)
        failure = `redirect to ${String(response.headers.location ?? '?')} not followed`;
      else if (response.status < 200 || response.status >= 300) failure = `HTTP ${response.status}`;
      else if (endpoint.kind !== 'webhook' && !robotAccepted(endpoint.kind, response.body))
        failure = `robot refused the message: ${response.body.slice(0, 200)}`;
    } catch (error) {
      if (error instanceof OutboundRefusedError) {
        await this.recordFailure(delivery, endpoint, null, `refused: ${error.message}`, true);
        throw error;
      }
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure === null) {
      await this.db.query(
        `UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, last_status = $2, last_error = NULL,
                last_attempt_at = now(), delivered_at = now() WHERE id = $1`,
        [deliveryId, status],
      );
      await this.db.query(
        `UPDATE webhook_endpoint SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`,
        [endpoint.id],
      );
      return;
    }
    await this.recordFailure(delivery, endpoint, status, failure, false);
    throw new DeliveryFailedError(`delivery ${deliveryId} failed: ${failure}`);
  }

  /** The retry budget is spent: the delivery is dead. */
  async markDead(deliveryId: string, error: unknown): Promise<void> {
    await this.db.query(
      `UPDATE webhook_delivery SET status = 'dead', last_error = coalesce(last_error, $2) WHERE id = $1 AND status IN ('pending', 'failed')`,
      [deliveryId, error instanceof Error ? error.message : String(error)],
    );
  }

  private async recordFailure(
    delivery: DeliveryRow,
    endpoint: EndpointRow,
    status: number | null,
    message: string,
    permanent: boolean,
  ): Promise<void> {
    await this.db.query(
      `UPDATE webhook_delivery SET status = $4, attempts = attempts + 1, last_status = $2, last_error = $3, last_attempt_at = now() WHERE id = $1`,
      [delivery.id, status, message.slice(0, 1000), permanent ? 'dead' : 'failed'],
    );
    const [counted] = await this.db.query<{ consecutive_failures: number; enabled: boolean }>(
      `UPDATE webhook_endpoint SET consecutive_failures = consecutive_failures + 1 WHERE id = $1
       RETURNING consecutive_failures, enabled`,
      [endpoint.id],
    );
    const limit = this.config.automation.webhookDisableAfter;
    if (counted !== undefined && counted.enabled && counted.consecutive_failures >= limit) {
      const disabled = await this.db.query(
        `UPDATE webhook_endpoint SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled RETURNING id`,
        [endpoint.id, `disabled after ${counted.consecutive_failures} failed attempts in a row`],
      );
      if (disabled.length > 0 && endpoint.owner_member_id !== null) {
        this.logger.warn({ endpoint: endpoint.id }, 'webhook disabled after repeated failures');
        await this.notifications.add(this.db, {
          workspaceId: endpoint.workspace_id,
          memberId: endpoint.owner_member_id,
          kind: 'webhook.disabled',
          title: `Webhook 已停用：${endpoint.name}`,
          body: `连续 ${counted.consecutive_failures} 次发送失败：${message.slice(0, 300)}`,
          link: { webhookId: endpoint.id },
          idempotencyKey: `webhook-disabled:${endpoint.id}:${endpoint.updated_at.getTime()}`,
        });
      }
    }
  }

  private checkUrl(url: string, kind: EndpointKind): void {
    try {
      this.guard.check(url);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        throw ApiError.validation([{ path: 'url', code: error.code, message: error.message }]);
      throw error;
    }
    void kind;
  }

  private async row(sql: Sql, workspaceId: string, id: string): Promise<EndpointRow> {
    const [row] = await sql.query<EndpointRow>(
      `SELECT * FROM webhook_endpoint WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Webhook');
    return row;
  }
}

/** What a robot says about a delivery body: `data.title`/`data.text` when the rule gave them, else a summary. */
export function robotMessage(body: Record<string, unknown>): RobotMessage {
  const data = (body['data'] ?? {}) as Record<string, unknown>;
  const rule = (body['rule'] ?? {}) as Record<string, unknown>;
  const title =
    typeof data['title'] === 'string' && data['title'] !== ''
      ? data['title']
      : typeof rule['name'] === 'string'
        ? rule['name']
        : 'Trellis';
  const text =
    typeof data['text'] === 'string'
      ? data['text']
      : Object.entries(data)
          .filter(([k]) => k !== 'title')
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('\n');
  return { title, text: text === '' ? title : text };
}

function present(row: EndpointRow, secret?: string): WebhookResponse {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    ownerMemberId: row.owner_member_id,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    hasSecret: row.secret !== null && row.secret !== '',
    ...(secret !== undefined ? { secret } : {}),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function duplicateUrl(error: unknown): unknown {
  const pg = error as { code?: string };
  if (pg.code === '23505')
    return new ApiError('CONFLICT', 'This URL is already registered', [
      { path: 'url', code: 'DUPLICATE_URL', message: 'Another webhook already has this URL' },
    ]);
  return error;
}
