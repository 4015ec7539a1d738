import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { FormsModule } from '../forms/forms.module.js';
import { PeopleModule } from '../people/people.module.js';
import { RecordsModule } from '../records/records.module.js';
import { ImportDatabase } from './import-database.js';
import { ImportRunnerService } from './import-runner.service.js';
import { FormImportsController, ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';

/** Customer-data import from CSV and XLSX (see README.md in this folder). */
@Module({
  imports: [FormsModule, PeopleModule, RecordsModule],
  controllers: [FormImportsController, ImportsController],
  providers: [ImportsService, ImportRunnerService, ImportDatabase],
})
export class ImportsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Uploads stream through @fastify/multipart (registered once on the root instance; idempotent). */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as unknown as FastifyAdapter | undefined;
    if (adapter !== undefined && typeof adapter.useMultipart === 'function') adapter.useMultipart();
  }
}
