import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { TaskListQuery, TaskResponse } from './dto/tasks.dto.js';
import { TasksService } from './tasks.service.js';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('me/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOkResponse({
    standardSchema: z.array(TaskResponse),
    description: 'Tasks assigned to me (open by default), soonest due first',
  })
  list(
    @CurrentAuth() auth: AuthContext,
    @Query({ schema: TaskListQuery }) query: TaskListQuery,
  ): Promise<TaskResponse[]> {
    return this.tasks.mine(auth, query);
  }

  @Post(':taskId/done')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: TaskResponse })
  done(
    @CurrentAuth() auth: AuthContext,
    @Param('taskId', { schema: IdParam }) id: string,
  ): Promise<TaskResponse> {
    return this.tasks.done(auth, id);
  }
}
