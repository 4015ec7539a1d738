import { Module } from '@nestjs/common';
import { ApprovalsController } from '../approvals/approvals.controller.js';
import { PeopleModule } from '../people/people.module.js';
import { RecordsModule } from '../records/records.module.js';
import { FlowEffectsService } from './flow-effects.service.js';
import { FlowRunnerService } from './flow-runner.service.js';
import { FlowsController } from './flows.controller.js';
import { FlowsService } from './flows.service.js';
import { WorkspaceDirectoryLoader } from './workspace-directory.js';

/** Flows on records: definitions, transitions under compare-and-set, approvals and their effects. */
@Module({
  imports: [RecordsModule, PeopleModule],
  controllers: [FlowsController, ApprovalsController],
  providers: [FlowsService, FlowRunnerService, FlowEffectsService, WorkspaceDirectoryLoader],
  exports: [FlowsService, FlowRunnerService, WorkspaceDirectoryLoader],
})
export class FlowsModule {}
