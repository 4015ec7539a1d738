import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Bundle } from '@trellis/app-bundle';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { PolicyService } from '../policy/policy.service.js';
import {
  AppBundleResponse,
  ImportTemplateDto,
  ImportTemplateResponse,
  ShippedTemplateListResponse,
} from './dto/import-template.dto.js';
import { ShippedTemplates } from './shipped-templates.service.js';
import { TemplatesService } from './templates.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller()
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly shipped: ShippedTemplates,
    private readonly policy: PolicyService,
  ) {}

  /** The templates that ship with Trellis, and whether this workspace has each installed. */
  @Get('templates')
  @ApiOkResponse({ standardSchema: ShippedTemplateListResponse })
  list(@CurrentAuth() auth: AuthContext): Promise<ShippedTemplateListResponse> {
    return this.shipped.forWorkspace(auth.workspaceId);
  }

  /**
   * Imports an app bundle as a new app (or upgrades an installed one with `upgrade.appId`), all
   * or nothing. A bundle already installed answers 409 with an upgrade offer.
   */
  @Post('templates/import')
  @HttpCode(201)
  @ApiOkResponse({ standardSchema: ImportTemplateResponse })
  async import(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: ImportTemplateDto }) dto: ImportTemplateDto,
  ): Promise<ImportTemplateResponse> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    const bundle =
      dto.template === undefined ? dto.bundle : (await this.shipped.get(dto.template)).bundle;
    return this.templates.import(auth, bundle, {
      withSampleData: dto.withSampleData,
      ...(dto.upgrade === undefined ? {} : { upgrade: dto.upgrade }),
    });
  }

  /** The app as a bundle of the current schema version, ready to import elsewhere. */
  @Get('apps/:appId/export')
  @ApiOkResponse({ standardSchema: AppBundleResponse })
  async export(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ): Promise<Bundle> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.templates.export(auth, appId);
  }
}
