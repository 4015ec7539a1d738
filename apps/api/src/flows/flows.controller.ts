import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { DatabaseService } from '../database/database.service.js';
import { PolicyService } from '../policy/policy.service.js';
import { RecordResponse } from '../records/record-shape.js';
import {
  AvailableTransitionResponse,
  FlowResponse,
  SaveFlowDto,
  TransitionDto,
} from './dto/flows.dto.js';
import { FlowRunnerService } from './flow-runner.service.js';
import { FlowsService } from './flows.service.js';

@ApiTags('flows')
@ApiBearerAuth()
@Controller('forms/:formId')
export class FlowsController {
  constructor(
    private readonly flows: FlowsService,
    private readonly runner: FlowRunnerService,
    private readonly policy: PolicyService,
    private readonly db: DatabaseService,
  ) {}

  @Get('flow')
  @ApiOkResponse({ standardSchema: FlowResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
  ): Promise<FlowResponse> {
    return this.flows.get(auth, formId);
  }

  @Put('flow')
  @ApiOkResponse({
    standardSchema: FlowResponse,
    description:
      'Saves the draft; every problem (unreachable stages, dead ends, unknown fields) comes back at once',
  })
  async save(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: SaveFlowDto }) dto: SaveFlowDto,
  ): Promise<FlowResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.flows.saveDraft(auth, formId, dto.definition);
  }

  @Post('flow/publish')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: FlowResponse,
    description: 'New records start on the new version; running ones stay on theirs',
  })
  async publish(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
  ): Promise<FlowResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.db.transaction((tx) => this.flows.publish(auth, formId, tx));
  }

  @Get('records/:recordId/transitions')
  @ApiOkResponse({
    standardSchema: z.array(AvailableTransitionResponse),
    description: 'The buttons and kanban drop targets, enabled or with the reasons why not',
  })
  available(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ) {
    return this.runner.available(auth, formId, recordId);
  }

  @Post('records/:recordId/transitions')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: RecordResponse,
    description: 'Moved (or submitted for approval); 409 with coded reasons when refused',
  })
  fire(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
    @Body({ schema: TransitionDto }) dto: TransitionDto,
  ): Promise<RecordResponse> {
    return this.runner.transition(auth, formId, recordId, dto);
  }
}
