import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { AuthGuard } from './common/auth/auth.guard.js';
import { ProblemFilter } from './common/http/problem.filter.js';
import { APP_CONFIG, APP_LOGGER, DATABASE_URL, QUEUE_RUNTIME } from './common/tokens.js';
import type { AppConfig } from './config/app-config.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthController } from './health/health.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { PeopleModule } from './people/people.module.js';
import { FormsModule } from './forms/forms.module.js';
import { RecordsModule } from './records/records.module.js';
import { FlowsModule } from './flows/flows.module.js';
import { AutomationModule } from './automation/automation.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { ViewsModule } from './views/views.module.js';
import { TokenService } from './auth/token.service.js';
import { DatabaseService } from './database/database.service.js';
import { RouteCatalog } from './common/http/route-catalog.js';
import { SharedCache } from './common/cache/shared-cache.service.js';
import type { QueueRuntime } from './queue/queue-runtime.js';

/** What exists before Nest starts: config, a migrated database, a queue backend. */
export type AppRuntime = {
  readonly config: AppConfig;
  readonly databaseUrl: string;
  readonly queue: QueueRuntime;
  readonly logger: Logger;
};

@Module({})
export class AppModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(runtime.databaseUrl)),
        DiscoveryModule,
        AuthModule,
        PeopleModule,
        FormsModule,
        RecordsModule,
        FlowsModule,
        AutomationModule,
        ReportsModule,
        ImportsModule,
        TemplatesModule,
        ViewsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: runtime.config },
        { provide: DATABASE_URL, useValue: runtime.databaseUrl },
        { provide: QUEUE_RUNTIME, useValue: runtime.queue },
        { provide: APP_LOGGER, useValue: runtime.logger },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        DatabaseService,
        TokenService,
        RouteCatalog,
        SharedCache,
      ],
      exports: [
        APP_CONFIG,
        DATABASE_URL,
        QUEUE_RUNTIME,
        APP_LOGGER,
        DatabaseService,
        TokenService,
        SharedCache,
      ],
    };
  }
}
