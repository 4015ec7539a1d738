import { Module } from '@nestjs/common';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { MeService } from './me.service.js';

@Module({
  controllers: [AuthController],
  providers: [AuthService, MeService, WorkspacesService],
  exports: [AuthService],
})
export class AuthModule {}
