import { Module } from '@nestjs/common';
import { OutboxService } from '../events/outbox.service.js';
import { FormsModule } from '../forms/forms.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ReportBridge } from '../reports/report-bridge.js';
import { RecordHooks } from './record-hooks.js';
import { RecordQueryService } from './record-query.service.js';
import { RecordsBulkService } from './records-bulk.service.js';
import { RecordsController } from './records.controller.js';
import { RecordsService } from './records.service.js';
import { PersonalDataService } from './personal-data.service.js';
import { RowScopeSql } from './row-scope-sql.js';

@Module({
  imports: [FormsModule, PeopleModule],
  controllers: [RecordsController],
  providers: [
    PersonalDataService,
    RecordsService,
    RecordQueryService,
    RecordsBulkService,
    RecordHooks,
    RowScopeSql,
    OutboxService,
    ReportBridge,
  ],
  exports: [RecordsService, RecordHooks, RowScopeSql, OutboxService, ReportBridge],
})
export class RecordsModule {}
