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
import { CreateRoleDto, RoleResponse, UpdateRoleDto } from './dto/roles.dto.js';
import { RolesService } from './roles.service.js';

@ApiTags('roles')
@ApiBearerAuth()
@Controller('roles')
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: z.array(RoleResponse) })
  list(@CurrentAuth() auth: AuthContext): Promise<RoleResponse[]> {
    return this.roles.list(auth);
  }

  @Post()
  @ApiCreatedResponse({ standardSchema: RoleResponse })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: CreateRoleDto }) dto: CreateRoleDto,
  ): Promise<RoleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_roles');
    return this.roles.create(auth, dto);
  }

  @Get(':id')
  @ApiOkResponse({ standardSchema: RoleResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<RoleResponse> {
    return this.roles.get(auth, id);
  }

  @Patch(':id')
  @ApiOkResponse({ standardSchema: RoleResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: UpdateRoleDto }) dto: UpdateRoleDto,
  ): Promise<RoleResponse> {
    await this.policy.requireWorkspace(auth, 'manage_roles');
    return this.roles.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_roles');
    await this.roles.remove(auth, id);
  }
}
