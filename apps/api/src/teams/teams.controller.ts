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
import { CreateTeamDto, TeamResponse, UpdateTeamDto } from './dto/teams.dto.js';
import { TeamsService } from './teams.service.js';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: z.array(TeamResponse) })
  list(@CurrentAuth() auth: AuthContext): Promise<TeamResponse[]> {
    return this.teams.list(auth);
  }

  @Post()
  @ApiCreatedResponse({ standardSchema: TeamResponse })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: CreateTeamDto }) dto: CreateTeamDto,
  ): Promise<TeamResponse> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    return this.teams.create(auth, dto);
  }

  @Get(':id')
  @ApiOkResponse({ standardSchema: TeamResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<TeamResponse> {
    return this.teams.get(auth, id);
  }

  @Patch(':id')
  @ApiOkResponse({ standardSchema: TeamResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: UpdateTeamDto }) dto: UpdateTeamDto,
  ): Promise<TeamResponse> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    return this.teams.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    await this.teams.remove(auth, id);
  }
}
