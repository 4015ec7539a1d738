import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { PolicyService } from '../policy/policy.service.js';
import {
  CreateWebhookDto,
  DeliveryResponse,
  UpdateWebhookDto,
  WebhookResponse,
} from './dto/webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: z.array(WebhookResponse) })
  async list(@CurrentAuth() auth: AuthContext): Promise<WebhookResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.webhooks.list(auth);
  }

  @Post()
  @ApiCreatedResponse({
    standardSchema: WebhookResponse,
    description:
      'Registers a webhook or a WeCom/DingTalk/Feishu robot, owned by you: rules send to it by URL, and what it receives is filtered by your field permissions. A generated secret is shown once.',
  })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: CreateWebhookDto }) dto: CreateWebhookDto,
  ): Promise<WebhookResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.webhooks.create(auth, dto);
  }

  @Get(':webhookId')
  @ApiOkResponse({ standardSchema: WebhookResponse })
  async get(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', { schema: IdParam }) id: string,
  ): Promise<WebhookResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.webhooks.get(auth, id);
  }

  @Patch(':webhookId')
  @ApiOkResponse({ standardSchema: WebhookResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', { schema: IdParam }) id: string,
    @Body({ schema: UpdateWebhookDto }) dto: UpdateWebhookDto,
  ): Promise<WebhookResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.webhooks.update(auth, id, dto);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.webhooks.remove(auth, id);
  }

  @Get(':webhookId/deliveries')
  @ApiOkResponse({
    standardSchema: z.array(DeliveryResponse),
    description:
      'Recent deliveries with their attempts (the delivery id is the same on every retry)',
  })
  async deliveries(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', { schema: IdParam }) id: string,
  ): Promise<DeliveryResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.webhooks.deliveries(auth, id);
  }
}
