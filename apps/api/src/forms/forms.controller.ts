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
import { DatabaseService, ident } from '../database/database.service.js';
import { PolicyService } from '../policy/policy.service.js';
import {
  CreateFormDto,
  FormResponse,
  PublishQuery,
  PublishResponse,
  SaveDraftDto,
} from './dto/forms.dto.js';
import { FormPublisherService } from './form-publisher.service.js';
import { FormsService } from './forms.service.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { formHeadKey } from './form-catalog.service.js';

const VersionResponse = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  publishedBy: z.uuid().nullable(),
});

@ApiTags('forms')
@ApiBearerAuth()
@Controller()
export class FormsController {
  constructor(
    private readonly forms: FormsService,
    private readonly publisher: FormPublisherService,
    private readonly policy: PolicyService,
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  @Get('apps/:appId/forms')
  @ApiOkResponse({ standardSchema: z.array(FormResponse) })
  list(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<FormResponse[]> {
    return this.forms.list(auth, appId);
  }

  @Post('apps/:appId/forms')
  @ApiCreatedResponse({ standardSchema: FormResponse })
  async create(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Body({ schema: CreateFormDto }) dto: CreateFormDto,
  ): Promise<FormResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.forms.create(auth, appId, dto);
  }

  @Get('forms/:formId')
  @ApiOkResponse({ standardSchema: FormResponse })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
  ): Promise<FormResponse> {
    return this.forms.get(auth, formId);
  }

  @Put('forms/:formId')
  @ApiOkResponse({
    standardSchema: FormResponse,
    description: 'The draft is saved; every schema problem comes back at once with its path',
  })
  async saveDraft(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: SaveDraftDto }) dto: SaveDraftDto,
  ): Promise<FormResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.forms.saveDraft(auth, formId, dto);
  }

  @Post('forms/:formId/publish')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: PublishResponse,
    description:
      'With ?preview=true nothing changes: the diff and the rows a type change would not convert',
  })
  async publish(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Query({ schema: PublishQuery }) query: PublishQuery,
  ): Promise<PublishResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.publisher.publish(auth, formId, { preview: query.preview === 'true' });
  }

  @Get('forms/:formId/versions')
  @ApiOkResponse({ standardSchema: z.array(VersionResponse) })
  versions(@CurrentAuth() auth: AuthContext, @Param('formId', { schema: IdParam }) formId: string) {
    return this.forms.versions(auth, formId);
  }

  @Delete('forms/:formId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The form and its record table are deleted' })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.db.transaction(async (tx) => {
      const row = await this.forms.row(auth.workspaceId, formId, tx, true);
      const [ws] = await tx.query<{ schema_name: string; table_name: string | null }>(
        `SELECT w.schema_name, f.table_name FROM form f JOIN workspace w ON w.id = f.workspace_id WHERE f.id = $1`,
        [row.id],
      );
      if (ws?.table_name !== null && ws !== undefined)
        await tx.query(
          `DROP TABLE IF EXISTS ${ident(ws.schema_name)}.${ident(ws.table_name)} CASCADE`,
        );
      await tx.query(`DELETE FROM form WHERE id = $1`, [row.id]);
      await this.cache.invalidate(tx, [formHeadKey(auth.workspaceId, row.id)]);
    });
  }
}
