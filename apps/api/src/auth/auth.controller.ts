import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { Public } from '../common/auth/public.decorator.js';
import type { AuthContext } from './auth-context.js';
import { AuthService } from './auth.service.js';
import {
  ChangePasswordDto,
  LoginDto,
  MeResponse,
  RefreshDto,
  SessionResponse,
  SignupDto,
  SwitchWorkspaceDto,
} from './dto/auth.dto.js';
import { MeService } from './me.service.js';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly me: MeService,
  ) {}

  @Public()
  @Post('auth/signup')
  @ApiCreatedResponse({ standardSchema: SessionResponse })
  signup(@Body({ schema: SignupDto }) dto: SignupDto): Promise<SessionResponse> {
    return this.auth.signup(dto);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: SessionResponse })
  login(@Body({ schema: LoginDto }) dto: LoginDto): Promise<SessionResponse> {
    return this.auth.login(dto);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: SessionResponse })
  refresh(@Body({ schema: RefreshDto }) dto: RefreshDto): Promise<SessionResponse> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Public()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The refresh token and its family are revoked' })
  async logout(@Body({ schema: RefreshDto }) dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @ApiBearerAuth()
  @Post('auth/switch-workspace')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: SessionResponse })
  switchWorkspace(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: SwitchWorkspaceDto }) dto: SwitchWorkspaceDto,
  ): Promise<SessionResponse> {
    return this.auth.switchWorkspace(auth.userId, dto.workspaceId);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ standardSchema: MeResponse })
  getMe(@CurrentAuth() auth: AuthContext): Promise<MeResponse> {
    return this.me.describe(auth);
  }

  @ApiBearerAuth()
  @Patch('me/password')
  @ApiOkResponse({
    standardSchema: SessionResponse,
    description: 'Every other session is signed out',
  })
  changePassword(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: ChangePasswordDto }) dto: ChangePasswordDto,
  ): Promise<SessionResponse> {
    return this.auth.changePassword(auth.userId, auth.memberId, dto);
  }
}
