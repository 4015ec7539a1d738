import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { CommitImportDto } from './dto/commit-import.dto.js';
import { ImportMappingDto } from './dto/import-mapping.dto.js';
import {
  ImportListResponse,
  ImportResponse,
  RejectionListResponse,
  SavedMappingListResponse,
} from './dto/import-response.dto.js';
import { ListRejectionsQuery } from './dto/list-rejections.query.js';
import { ImportsService } from './imports.service.js';

/** Imports started on a form, and the mappings saved for it. */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('forms/:formId')
export class FormImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('imports')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'A CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16; comma, tab, semicolon or bar) or XLSX file in the field "file". The file is checked while it streams in: size, row count, and for XLSX path-traversal part names, zip bombs and XML entities.',
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({
    standardSchema: ImportResponse,
    description:
      'Detected encoding, delimiter, header row, columns with suggested fields, and sample rows',
  })
  upload(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Req() request: FastifyRequest,
  ): Promise<ImportResponse> {
    return this.imports.upload(auth, formId, request);
  }

  @Get('imports')
  @ApiOkResponse({ standardSchema: ImportListResponse })
  list(@CurrentAuth() auth: AuthContext, @Param('formId', { schema: IdParam }) formId: string) {
    return this.imports.list(auth, formId);
  }

  @Get('import-mappings')
  @ApiOkResponse({
    standardSchema: SavedMappingListResponse,
    description: 'Column mappings saved for this form (header label → field), newest first',
  })
  mappings(@CurrentAuth() auth: AuthContext, @Param('formId', { schema: IdParam }) formId: string) {
    return this.imports.savedMappings(auth, formId);
  }
}

/** One import: its mapping, dry run, commit, progress and rejected rows. */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get(':id')
  @ApiOkResponse({
    standardSchema: ImportResponse,
    description:
      'Status, progress (percent and rows per second) and counts; poll it while an import runs',
  })
  get(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<ImportResponse> {
    return this.imports.get(auth, id);
  }

  @Put(':id/mapping')
  @ApiOkResponse({ standardSchema: ImportResponse })
  mapping(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: ImportMappingDto }) dto: ImportMappingDto,
  ): Promise<ImportResponse> {
    return this.imports.saveMapping(auth, id, dto);
  }

  @Post(':id/dry-run')
  @HttpCode(202)
  @ApiAcceptedResponse({
    standardSchema: ImportResponse,
    description:
      'Validates every row without writing; poll GET /imports/:id, then read the rejections',
  })
  dryRun(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<ImportResponse> {
    return this.imports.dryRun(auth, id);
  }

  @Post(':id/commit')
  @HttpCode(202)
  @ApiAcceptedResponse({
    standardSchema: ImportResponse,
    description:
      'Writes the rows in batches (skip_bad_rows) or in one transaction (all_or_nothing)',
  })
  commit(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: CommitImportDto }) dto: CommitImportDto,
  ): Promise<ImportResponse> {
    return this.imports.commit(auth, id, dto);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiAcceptedResponse({
    standardSchema: ImportResponse,
    description: 'Continues an interrupted import from its last committed batch',
  })
  resume(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<ImportResponse> {
    return this.imports.resume(auth, id);
  }

  @Get(':id/rejections')
  @ApiOkResponse({
    standardSchema: RejectionListResponse,
    description: 'Rejected (or skipped) rows with their line numbers and reasons, in line order',
  })
  rejections(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Query({ schema: ListRejectionsQuery }) query: ListRejectionsQuery,
  ): Promise<RejectionListResponse> {
    return this.imports.rejections(auth, id, query);
  }

  @Get(':id/rejected.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      'The rejected rows as CSV (UTF-8 with BOM): line, reason, then the original cells; cells starting with = + - @ are escaped',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async rejectedCsv(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<StreamableFile> {
    const { stream, fileName } = await this.imports.rejectedCsv(auth, id);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="rejected.csv"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Discards an import that is not running (its file and staged rows)',
  })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.imports.remove(auth, id);
  }
}
