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
import { AppsService } from './apps.service.js';
import { AppResponse, CreateAppDto, UpdateAppDto } from './dto/apps.dto.js';

@ApiTags('apps')
@ApiBearerAuth()
@Controller('apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: z.array(AppResponse) })
  list(@CurrentAuth() auth: AuthContext): Promise<AppResponse[]> {
    return this.apps.list(auth);
  }

  @Post()
  @ApiCreatedResponse({ standardSchema: AppResponse })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: CreateAppDto }) dto: CreateAppDto,
  ): Promise<AppResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.apps.create(auth, dto);
  }

  @Get(':appId')
  @ApiOkResponse({ standardSchema: AppResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<AppResponse> {
    return this.apps.get(auth, appId);
  }

  @Patch(':appId')
  @ApiOkResponse({ standardSchema: AppResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Body({ schema: UpdateAppDto }) dto: UpdateAppDto,
  ): Promise<AppResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.apps.update(auth, appId, dto);
  }

  @Delete(':appId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The app, its forms and their record tables are deleted' })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.apps.remove(auth, appId);
  }
}
