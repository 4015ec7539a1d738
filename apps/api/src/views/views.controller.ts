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
import { CreateViewDto, UpdateViewDto, ViewResponse } from './dto/views.dto.js';
import { ViewsService } from './views.service.js';

@ApiTags('views')
@ApiBearerAuth()
@Controller()
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @Get('forms/:formId/views')
  @ApiOkResponse({
    standardSchema: z.array(ViewResponse),
    description: "The viewer's own views of the form's record list, then the shared ones",
  })
  list(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
  ): Promise<ViewResponse[]> {
    return this.views.list(auth, formId);
  }

  @Post('forms/:formId/views')
  @ApiCreatedResponse({
    standardSchema: ViewResponse,
    description:
      'Saves a view (personal unless shared; sharing needs manage on the form). Unknown fields answer 400, unreadable ones 403, each located',
  })
  create(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: CreateViewDto }) dto: CreateViewDto,
  ): Promise<ViewResponse> {
    return this.views.create(auth, formId, dto);
  }

  @Patch('views/:viewId')
  @ApiOkResponse({
    standardSchema: ViewResponse,
    description: 'Renames or overwrites a view: its author, or a form manager for shared views',
  })
  update(
    @CurrentAuth() auth: AuthContext,
    @Param('viewId', { schema: IdParam }) viewId: string,
    @Body({ schema: UpdateViewDto }) dto: UpdateViewDto,
  ): Promise<ViewResponse> {
    return this.views.update(auth, viewId, dto);
  }

  @Delete('views/:viewId')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('viewId', { schema: IdParam }) viewId: string,
  ): Promise<void> {
    await this.views.remove(auth, viewId);
  }
}
