import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { FormsModule } from '../forms/forms.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { AutomationModule } from '../automation/automation.module.js';
import { AppExportService } from './app-export.service.js';
import { SampleDataLoader } from './sample-data-loader.js';
import { ShippedTemplates } from './shipped-templates.service.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesService } from './templates.service.js';

/** App bundles: importing a template as an app (or upgrading one), and exporting an app. */
@Module({
  imports: [FormsModule, FlowsModule, PeopleModule, ReportsModule, AutomationModule],
  controllers: [TemplatesController],
  providers: [TemplatesService, AppExportService, SampleDataLoader, ShippedTemplates],
  exports: [TemplatesService],
})
export class TemplatesModule {}
