import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type FormSchema, standaloneValidatorModule } from '@trellis/form-engine';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../common/auth/public.decorator.js';
import { ApiError } from '../common/errors/api-error.js';
import { IdParam } from '../common/http/params.js';
import { DatabaseService } from '../database/database.service.js';

/**
 * The browser validates with the same compiled form as the server, but under
 * our Content-Security-Policy ajv cannot compile there (no eval). So the API
 * serves each published version's validator as precompiled JavaScript from
 * its own origin. Public but unguessable (form UUID + version), immutable,
 * and it holds the form's field rules only, never data.
 */
@ApiTags('forms')
@Controller('forms/:formId/versions/:version')
export class ValidatorModuleController {
  private readonly modules = new Map<string, string>();

  constructor(private readonly db: DatabaseService) {}

  @Public()
  @Get('validator.mjs')
  @ApiOkResponse({
    description:
      'An ES module whose default export validates values against the form version (ajv standalone code)',
  })
  async validator(
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('version', { schema: z.coerce.number().int().positive().max(1_000_000) })
    version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const key = `${formId}@${version}`;
    let source = this.modules.get(key);
    if (source === undefined) {
      const [row] = await this.db.query<{ schema: FormSchema }>(
        `SELECT schema FROM form_version WHERE form_id = $1 AND version = $2`,
        [formId, version],
      );
      if (row === undefined) throw ApiError.notFound('Form version');
      source = standaloneValidatorModule(row.schema);
      this.modules.set(key, source);
    }
    void reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable');
    return source;
  }
}
