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
  InvitationResponse,
  InviteMemberDto,
  MemberResponse,
  UpdateMemberDto,
} from './dto/members.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: z.array(MemberResponse) })
  list(@CurrentAuth() auth: AuthContext): Promise<MemberResponse[]> {
    return this.members.list(auth);
  }

  @Post('invitations')
  @ApiCreatedResponse({ standardSchema: InvitationResponse })
  async invite(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: InviteMemberDto }) dto: InviteMemberDto,
  ): Promise<InvitationResponse> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    return this.members.invite(auth, dto);
  }

  @Get(':id')
  @ApiOkResponse({ standardSchema: MemberResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<MemberResponse> {
    return this.members.get(auth, id);
  }

  @Patch(':id')
  @ApiOkResponse({ standardSchema: MemberResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: UpdateMemberDto }) dto: UpdateMemberDto,
  ): Promise<MemberResponse> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    return this.members.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed; their sessions end at once' })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_members');
    await this.members.remove(auth, id);
  }
}
