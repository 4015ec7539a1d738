import { Module } from '@nestjs/common';
import { FormsModule } from '../forms/forms.module.js';
import { PeopleModule } from '../people/people.module.js';
import { RecordsModule } from '../records/records.module.js';
import { ReportDefinitionsService } from './report-definitions.service.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Reports and dashboards: specs run through report-engine under the viewer's permissions. */
@Module({
  imports: [FormsModule, PeopleModule, RecordsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportDefinitionsService],
  exports: [ReportsService, ReportDefinitionsService],
})
export class ReportsModule {}
