import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { APP_CONFIG, APP_LOGGER } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql } from '../database/database.service.js';

type MailRow = {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  status: string;
};

/**
 * E-mail through SMTP (nodemailer). Messages are written by actions inside
 * their transaction (with an idempotency key) plus an outbox row, and sent by
 * the delivery workers; each keeps one Message-ID across retries.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private transport: Transporter | null = null;

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** Queues one message in the caller's transaction; returns false when the key was used already. */
  async enqueue(
    tx: Sql,
    input: {
      workspaceId: string;
      memberId: string | null;
      to: string;
      subject: string;
      body: string;
      idempotencyKey: string;
    },
  ): Promise<boolean> {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO mail_message (workspace_id, member_id, to_address, subject, body, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        input.workspaceId,
        input.memberId,
        input.to,
        input.subject.slice(0, 300),
        input.body,
        input.idempotencyKey,
      ],
    );
    if (row === undefined) return false;
    await tx.query(
      `INSERT INTO outbox_event (workspace_id, type, payload) VALUES ($1, 'delivery.email', $2)`,
      [input.workspaceId, JSON.stringify({ kind: 'email', id: row.id })],
    );
    await tx.query(`SELECT pg_notify('trellis_outbox', '')`);
    return true;
  }

  /** Sends one queued message (throws to be retried). */
  async send(id: string): Promise<void> {
    const [mail] = await this.db.query<MailRow>(
      `SELECT id, to_address, subject, body, status FROM mail_message WHERE id = $1`,
      [id],
    );
    if (mail === undefined || mail.status === 'sent' || mail.status === 'skipped') return;
    const transport = this.transporter();
    if (transport === null) {
      await this.db.query(
        `UPDATE mail_message SET status = 'skipped', last_error = 'no SMTP_URL configured' WHERE id = $1`,
        [id],
      );
      return;
    }
    try {
      await transport.sendMail({
        from: this.config.mailFrom,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.body,
        messageId: `<${mail.id}@trellis>`,
      });
    } catch (error) {
      await this.db.query(
        `UPDATE mail_message SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1`,
        [id, error instanceof Error ? error.message.slice(0, 1000) : String(error)],
      );
      throw error;
    }
    await this.db.query(
      `UPDATE mail_message SET status = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = now() WHERE id = $1`,
      [id],
    );
  }

  async markDead(id: string): Promise<void> {
    await this.db.query(
      `UPDATE mail_message SET status = 'dead' WHERE id = $1 AND status IN ('pending', 'failed')`,
      [id],
    );
  }

  onModuleDestroy(): void {
    this.transport?.close();
    this.transport = null;
  }

  private transporter(): Transporter | null {
    if (this.config.smtpUrl === null) return null;
    if (this.transport === null) {
      this.transport = nodemailer.createTransport(this.config.smtpUrl);
      this.logger.debug('SMTP transport created');
    }
    return this.transport;
  }
}
