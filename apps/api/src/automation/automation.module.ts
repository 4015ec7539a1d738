import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CalendarsController } from '../calendars/calendars.controller.js';
import { CalendarsService } from '../calendars/calendars.service.js';
import { APP_CONFIG, APP_LOGGER, QUEUE_RUNTIME } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService } from '../database/database.service.js';
import { FlowsModule } from '../flows/flows.module.js';
import { FormsModule } from '../forms/forms.module.js';
import { MailService } from '../mail/mail.service.js';
import { NotificationHub } from '../notifications/notification-hub.service.js';
import { NotificationsController } from '../notifications/notifications.controller.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { PeopleModule } from '../people/people.module.js';
import type { QueueRuntime } from '../queue/queue-runtime.js';
import { RecordsModule } from '../records/records.module.js';
import { AppRulesController, RuleRunsController } from '../rules/rules.controller.js';
import { RulesService } from '../rules/rules.service.js';
import { TasksController } from '../tasks/tasks.controller.js';
import { TasksService } from '../tasks/tasks.service.js';
import { WebhooksController } from '../webhooks/webhooks.controller.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { ActionExecutor } from './action-executor.service.js';
import { AutomationClock } from './automation-clock.js';
import { RelatedData } from './related-data.js';
import { AutomationRuntime } from './automation-runtime.service.js';
import { JOB_BUS } from './automation.tokens.js';
import { JobBus } from './job-bus.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { PgListener } from './pg-listener.service.js';
import { RuleCatalog } from './rule-catalog.service.js';
import { RuleRunner } from './rule-runner.service.js';
import { RunExecutor } from './run-executor.service.js';
import { TimerService } from './timer.service.js';

/**
 * The automation runtime (issue 8): outbox relay, rule workers, timers and
 * their scheduler, effects (notifications, tasks, e-mail, webhooks and chat
 * robots), run logs, and the routes for rules, calendars, webhooks and "my"
 * notifications and tasks.
 */
@Module({
  imports: [RecordsModule, FlowsModule, FormsModule, PeopleModule],
  controllers: [
    AppRulesController,
    RuleRunsController,
    NotificationsController,
    TasksController,
    CalendarsController,
    WebhooksController,
  ],
  providers: [
    {
      provide: JOB_BUS,
      inject: [QUEUE_RUNTIME, APP_CONFIG, APP_LOGGER, DatabaseService],
      useFactory: (queue: QueueRuntime, config: AppConfig, logger: Logger, db: DatabaseService) =>
        new JobBus(queue, {
          attempts: config.automation.attempts,
          backoffMs: config.automation.backoffMs,
          lockMs: config.automation.lockMs,
          logger,
          deadLetter: async (name, job, error) => {
            const data = job.data as { workspaceId?: unknown } | null;
            await db
              .query(
                `INSERT INTO dead_letter (workspace_id, queue, job_id, name, data, error, attempts)
                 VALUES ((SELECT id FROM workspace WHERE id = $1::uuid), $2, $3, $4, $5, $6, $7)`,
                [
                  typeof data?.workspaceId === 'string' ? data.workspaceId : null,
                  name,
                  job.id,
                  job.name,
                  JSON.stringify(job.data),
                  error instanceof Error ? error.message : String(error),
                  job.attempt ?? 1,
                ],
              )
              .catch((failure: unknown) =>
                logger.error({ err: failure, job: job.id }, 'could not record a dead letter'),
              );
          },
        }),
    },
    AutomationClock,
    PgListener,
    OutboxRelay,
    RuleCatalog,
    RuleRunner,
    RelatedData,
    RunExecutor,
    ActionExecutor,
    TimerService,
    AutomationRuntime,
    RulesService,
    NotificationsService,
    NotificationHub,
    TasksService,
    CalendarsService,
    WebhooksService,
    MailService,
  ],
  exports: [
    JOB_BUS,
    AutomationClock,
    OutboxRelay,
    TimerService,
    NotificationsService,
    CalendarsService,
    WebhooksService,
    RulesService,
  ],
})
export class AutomationModule {}
