import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { DatabaseService } from '../database/database.service.js';
import { FlowRunnerService } from '../flows/flow-runner.service.js';
import { RecordResponse } from '../records/record-shape.js';
import { ApprovalResponse, DecisionDto } from './dto/approvals.dto.js';

const InboxQuery = z.strictObject({
  status: z.enum(['pending', 'submitted', 'decided']).default('pending'),
});
type InboxQuery = z.infer<typeof InboxQuery>;

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(
    private readonly db: DatabaseService,
    private readonly runner: FlowRunnerService,
  ) {}

  /** The approval inbox: waiting for me (pending), started by me (submitted), or closed ones I was part of. */
  @Get()
  @ApiOkResponse({ standardSchema: z.array(ApprovalResponse) })
  async inbox(
    @CurrentAuth() auth: AuthContext,
    @Query({ schema: InboxQuery }) query: InboxQuery,
  ): Promise<ApprovalResponse[]> {
    const where =
      query.status === 'pending'
        ? `a.status = 'pending' AND $2::uuid = ANY(a.assignees)`
        : query.status === 'submitted'
          ? `a.submitted_by = $2::uuid`
          : `a.status <> 'pending' AND (a.submitted_by = $2::uuid OR a.state->'deciders' ? $2::text)`;
    const rows = await this.db.query<{
      id: string;
      form_id: string;
      record_id: string;
      transition_id: string;
      step_id: string | null;
      status: string;
      submitted_by: string | null;
      assignees: string[];
      created_at: Date;
      state: unknown;
    }>(
      `SELECT a.id, a.form_id, a.record_id, a.transition_id, a.step_id, a.status, a.submitted_by, a.assignees, a.created_at, a.state
         FROM approval a WHERE a.workspace_id = $1 AND ${where} ORDER BY a.created_at DESC LIMIT 200`,
      [auth.workspaceId, auth.memberId],
    );
    return rows.map((r) => ({
      id: r.id,
      formId: r.form_id,
      recordId: r.record_id,
      transitionId: r.transition_id,
      stepId: r.step_id,
      status: r.status,
      submittedBy: r.submitted_by,
      assignees: r.assignees,
      createdAt: r.created_at.toISOString(),
      detail: r.state,
    }));
  }

  @Post(':id/decision')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: RecordResponse,
    description: 'The record after the decision (moved when the last approval lands)',
  })
  decide(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: DecisionDto }) dto: DecisionDto,
  ): Promise<RecordResponse> {
    return this.runner.decide(auth, id, dto);
  }
}
