import { Module } from '@nestjs/common';
import { FormsModule } from '../forms/forms.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ViewsController } from './views.controller.js';
import { ViewsService } from './views.service.js';

/** Saved views of record lists: filter, sort, search, columns and mode under a name. */
@Module({
  imports: [FormsModule, PeopleModule],
  controllers: [ViewsController],
  providers: [ViewsService],
})
export class ViewsModule {}
