import { Module } from '@nestjs/common';
import { AppsController } from '../apps/apps.controller.js';
import { AppsService } from '../apps/apps.service.js';
import { PeopleModule } from '../people/people.module.js';
import { FormCatalogService } from './form-catalog.service.js';
import { FormPublisherService } from './form-publisher.service.js';
import { FormRuntimeService } from './form-runtime.service.js';
import { FormSchemas } from './form-schemas.js';
import { FormsController } from './forms.controller.js';
import { FormsService } from './forms.service.js';
import { ValidatorModuleController } from './validator-module.controller.js';

/** Apps, forms (drafts, published versions) and publishing forms as real tables. */
@Module({
  imports: [PeopleModule],
  controllers: [AppsController, FormsController, ValidatorModuleController],
  providers: [
    AppsService,
    FormsService,
    FormPublisherService,
    FormCatalogService,
    FormRuntimeService,
    FormSchemas,
  ],
  exports: [
    AppsService,
    FormsService,
    FormCatalogService,
    FormRuntimeService,
    FormSchemas,
    FormPublisherService,
  ],
})
export class FormsModule {}
