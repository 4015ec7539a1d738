import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
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
  ReplayManyDto,
  RuleResponse,
  RuleRunResponse,
  RunListQuery,
  SaveRuleDto,
  TestRuleDto,
  TestRuleResponse,
} from './dto/rules.dto.js';
import { RulesService } from './rules.service.js';

@ApiTags('rules')
@ApiBearerAuth()
@Controller('apps/:appId')
export class AppRulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly policy: PolicyService,
  ) {}

  @Get('rules')
  @ApiOkResponse({ standardSchema: z.array(RuleResponse) })
  async list(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<RuleResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.list(auth, appId);
  }

  @Post('rules')
  @ApiCreatedResponse({
    standardSchema: RuleResponse,
    description:
      'A rule-engine definition, checked against the app; every issue comes back at once with its path. Actions run with your permissions.',
  })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Body({ schema: SaveRuleDto }) dto: SaveRuleDto,
  ): Promise<RuleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.create(auth, appId, dto);
  }

  @Get('rules/:ruleId')
  @ApiOkResponse({ standardSchema: RuleResponse })
  async get(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Param('ruleId', { schema: IdParam }) ruleId: string,
  ): Promise<RuleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.get(auth, appId, ruleId);
  }

  @Put('rules/:ruleId')
  @ApiOkResponse({ standardSchema: RuleResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Param('ruleId', { schema: IdParam }) ruleId: string,
    @Body({ schema: SaveRuleDto }) dto: SaveRuleDto,
  ): Promise<RuleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.update(auth, appId, ruleId, dto);
  }

  @Delete('rules/:ruleId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deletes the rule, its pending timers and its run log' })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Param('ruleId', { schema: IdParam }) ruleId: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.rules.remove(auth, appId, ruleId);
  }

  @Get('rule-failures')
  @ApiOkResponse({
    standardSchema: z.array(RuleRunResponse),
    description: 'The failure inbox: failed and dead-lettered runs of the app, newest first',
  })
  async failures(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<RuleRunResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.failures(auth, appId);
  }
}

@ApiTags('rules')
@ApiBearerAuth()
@Controller()
export class RuleRunsController {
  constructor(
    private readonly rules: RulesService,
    private readonly policy: PolicyService,
  ) {}

  @Post('rules/:ruleId/test')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: TestRuleResponse,
    description:
      "A dry run with a sample record: the condition's explanation and the actions the rule would take. Nothing is performed.",
  })
  async test(
    @CurrentAuth() auth: AuthContext,
    @Param('ruleId', { schema: IdParam }) ruleId: string,
    @Body({ schema: TestRuleDto }) dto: TestRuleDto,
  ): Promise<TestRuleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.test(auth, ruleId, dto);
  }

  @Get('rules/:ruleId/runs')
  @ApiOkResponse({
    standardSchema: z.array(RuleRunResponse),
    description: "The rule's run log: trigger, explanation, each action's result and timing",
  })
  async runs(
    @CurrentAuth() auth: AuthContext,
    @Param('ruleId', { schema: IdParam }) ruleId: string,
    @Query({ schema: RunListQuery }) query: RunListQuery,
  ): Promise<RuleRunResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.runsOf(auth, ruleId, query);
  }

  @Post('rule-runs/replay')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: z.array(RuleRunResponse),
    description: 'Replays several runs (by id, or every failed run of a rule; up to 100)',
  })
  async replayMany(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: ReplayManyDto }) dto: ReplayManyDto,
  ): Promise<RuleRunResponse[]> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.replayMany(auth, dto);
  }

  @Get('rule-runs/:runId')
  @ApiOkResponse({ standardSchema: RuleRunResponse })
  async run(
    @CurrentAuth() auth: AuthContext,
    @Param('runId', { schema: IdParam }) runId: string,
  ): Promise<RuleRunResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.run(auth, runId);
  }

  @Post('rule-runs/:runId/replay')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: RuleRunResponse,
    description:
      'Runs the stored plan again: actions applied before keep their idempotency keys and are not applied twice',
  })
  async replay(
    @CurrentAuth() auth: AuthContext,
    @Param('runId', { schema: IdParam }) runId: string,
  ): Promise<RuleRunResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.rules.replay(auth, runId);
  }
}
