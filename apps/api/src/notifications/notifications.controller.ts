import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { CONTENT_SECURITY_POLICY } from '../http-app.js';
import {
  NotificationListQuery,
  NotificationListResponse,
  NotificationResponse,
  ReadAllResponse,
} from './dto/notifications.dto.js';
import { NotificationHub } from './notification-hub.service.js';
import { NotificationsService } from './notifications.service.js';

const HEARTBEAT_MS = 15_000;

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('me/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly hub: NotificationHub,
  ) {}

  @Get()
  @ApiOkResponse({
    standardSchema: NotificationListResponse,
    description: 'My notifications, newest first (keyset pages), with the unread count',
  })
  list(
    @CurrentAuth() auth: AuthContext,
    @Query({ schema: NotificationListQuery }) query: NotificationListQuery,
  ): Promise<NotificationListResponse> {
    return this.notifications.list(auth, query);
  }

  /**
   * Server-sent events: `notification` events as they are written, by any
   * process. Authenticates with the Authorization header like every route
   * (use fetch with a streaming body, not EventSource with a token in the URL).
   * Send Last-Event-ID to receive what was missed while reconnecting.
   */
  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'text/event-stream: `ready` (unread count), then `notification` events (data: a notification)',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async stream(
    @CurrentAuth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-request-id': String(request.id),
    });
    let closed = false;
    const send = (event: string, data: unknown, id?: string) => {
      if (closed) return;
      raw.write(
        `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    };
    // Deliver in order: each signal loads its row after the previous one was written.
    let chain: Promise<void> = Promise.resolve();
    const deliver = (id: string) => {
      chain = chain
        .then(async () => {
          const notification = await this.notifications.one(auth.memberId, id);
          if (notification !== null) send('notification', notification, notification.id);
        })
        .catch(() => undefined);
    };
    const unsubscribe = await this.hub.subscribe(auth.memberId, deliver);
    const heartbeat = setInterval(() => {
      if (!closed) raw.write(': ping\n\n');
    }, HEARTBEAT_MS);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    request.raw.on('close', close);
    raw.on('close', close);
    raw.write('retry: 3000\n\n');
    send('ready', { unreadCount: await this.notifications.unreadCount(auth.memberId) });
    const lastEventId = request.headers['last-event-id'];
    if (typeof lastEventId === 'string' && /^[0-9a-f-]{36}$/i.test(lastEventId)) {
      for (const missed of await this.notifications.after(auth.memberId, lastEventId))
        send('notification', missed, missed.id);
    }
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: ReadAllResponse })
  readAll(@CurrentAuth() auth: AuthContext): Promise<{ updated: number }> {
    return this.notifications.markAllRead(auth);
  }

  @Post(':notificationId/read')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: NotificationResponse })
  read(
    @CurrentAuth() auth: AuthContext,
    @Param('notificationId', { schema: IdParam }) id: string,
  ): Promise<NotificationResponse> {
    return this.notifications.markRead(auth, id);
  }
}
