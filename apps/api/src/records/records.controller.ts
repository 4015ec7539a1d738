import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import {
  BulkCreateDto,
  BulkUpdateDto,
  CreateRecordDto,
  ListRecordsQuery,
  UpdateRecordDto,
} from './dto/records.dto.js';
import { RecordQueryService } from './record-query.service.js';
import { HistoryEntry, RecordListResponse, RecordResponse } from './record-shape.js';
import { RecordsBulkService } from './records-bulk.service.js';
import { RecordsService } from './records.service.js';
import { PersonalDataService } from './personal-data.service.js';

const EraseDto = z.strictObject({
  fields: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/))
    .max(200)
    .optional(),
});
type EraseDto = z.infer<typeof EraseDto>;
const PersonalDataResponse = z.object({
  exportedAt: z.string(),
  form: z.object({ id: z.uuid(), key: z.string() }),
  record: z.record(z.string(), z.unknown()),
  history: z.array(z.record(z.string(), z.unknown())),
  referencedBy: z.array(
    z.object({
      formId: z.uuid(),
      formKey: z.string(),
      field: z.string(),
      recordId: z.uuid(),
      values: z.record(z.string(), z.unknown()),
    }),
  ),
});

@ApiTags('records')
@ApiBearerAuth()
@Controller('forms/:formId/records')
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly queries: RecordQueryService,
    private readonly bulk: RecordsBulkService,
    private readonly personal: PersonalDataService,
  ) {}

  @Get()
  @ApiOkResponse({ standardSchema: RecordListResponse })
  list(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Query({ schema: ListRecordsQuery }) query: ListRecordsQuery,
  ): Promise<RecordListResponse> {
    return this.queries.list(auth, formId, query);
  }

  @Post()
  @ApiCreatedResponse({ standardSchema: RecordResponse })
  create(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: CreateRecordDto }) dto: CreateRecordDto,
  ): Promise<RecordResponse> {
    return this.records.create(auth, formId, dto);
  }

  @Post('bulk')
  @ApiCreatedResponse({
    standardSchema: z.object({ items: z.array(RecordResponse) }),
    description: 'All or nothing',
  })
  bulkCreate(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: BulkCreateDto }) dto: BulkCreateDto,
  ) {
    return this.bulk.create(auth, formId, dto);
  }

  @Patch('bulk')
  @ApiOkResponse({
    standardSchema: z.object({ items: z.array(RecordResponse) }),
    description: 'All or nothing; each record with its version',
  })
  bulkUpdate(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Body({ schema: BulkUpdateDto }) dto: BulkUpdateDto,
  ) {
    return this.bulk.update(auth, formId, dto);
  }

  @Get(':recordId')
  @ApiOkResponse({
    standardSchema: RecordResponse,
    headers: { ETag: { description: 'The record version', schema: { type: 'string' } } },
  })
  async get(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponse> {
    const record = await this.records.get(auth, formId, recordId);
    void reply.header('etag', `"${record.version}"`);
    return record;
  }

  @Patch(':recordId')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version you edited, e.g. "3" (or send "version" in the body)',
  })
  @ApiOkResponse({ standardSchema: RecordResponse })
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
    @Body({ schema: UpdateRecordDto }) dto: UpdateRecordDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponse> {
    const record = await this.records.update(auth, formId, recordId, dto, ifMatch);
    void reply.header('etag', `"${record.version}"`);
    return record;
  }

  @Delete(':recordId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Soft-deleted; POST /restore brings it back' })
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ): Promise<void> {
    await this.records.remove(auth, formId, recordId);
  }

  @Post(':recordId/restore')
  @HttpCode(200)
  @ApiOkResponse({ standardSchema: RecordResponse })
  restore(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ): Promise<RecordResponse> {
    return this.records.restore(auth, formId, recordId);
  }

  @Post(':recordId/submit')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: RecordResponse,
    description: 'A draft becomes a record: fully validated, numbered, and its events raised',
  })
  submit(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ): Promise<RecordResponse> {
    return this.records.submit(auth, formId, recordId);
  }

  @Get(':recordId/history')
  @ApiOkResponse({ standardSchema: z.array(HistoryEntry) })
  history(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ): Promise<HistoryEntry[]> {
    return this.records.history(auth, formId, recordId);
  }

  @Get(':recordId/personal-data')
  @ApiOkResponse({
    standardSchema: PersonalDataResponse,
    description: 'Everything stored about this record (PIPL/GDPR access request); needs manage',
  })
  personalData(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
  ) {
    return this.personal.export(auth, formId, recordId);
  }

  @Post(':recordId/erase')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: z.object({ erased: z.array(z.string()) }),
    description:
      'Anonymises the personal fields here, in the history and in kept originals; audited',
  })
  erase(
    @CurrentAuth() auth: AuthContext,
    @Param('formId', { schema: IdParam }) formId: string,
    @Param('recordId', { schema: IdParam }) recordId: string,
    @Body({ schema: EraseDto }) dto: EraseDto,
  ) {
    return this.personal.erase(auth, formId, recordId, dto.fields);
  }
}
