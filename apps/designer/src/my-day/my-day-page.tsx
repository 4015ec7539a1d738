import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { isApiProblem } from '../api/api-problem.js';
import { appsApi, type TrellisApp } from '../api/apps-api.js';
import { formsApi } from '../api/forms-api.js';
import { meApi, type NotificationItem, type TaskItem } from '../api/me-api.js';
import { recordsApi } from '../api/records-api.js';
import { useResource } from '../api/use-resource.js';
import { useMe } from '../auth/session-context.js';
import { recordTitle } from '../forms/field-data-source.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useLiveNotifications } from './use-live-notifications.js';
import './my-day.css';

const LEAD_KEYS = ['lead', 'leads', 'clue'];

function startOfToday(): number {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

type TaskGroups = { overdue: TaskItem[]; today: TaskItem[]; later: TaskItem[] };

function groupTasks(tasks: readonly TaskItem[], now: number): TaskGroups {
  const tomorrow = startOfToday() + 86_400_000;
  const groups: TaskGroups = { overdue: [], today: [], later: [] };
  for (const task of tasks) {
    if (task.status !== 'open') continue;
    const due = task.dueAt === null ? null : Date.parse(task.dueAt);
    if (due !== null && due < now) groups.overdue.push(task);
    else if (due !== null && due < tomorrow) groups.today.push(task);
    else groups.later.push(task);
  }
  return groups;
}

/** The rep's day: tasks due today and overdue, notifications as they arrive, new leads. */
export function MyDayPage() {
  const { t } = useI18n();
  const me = useMe();
  const hour = new Date().getHours();
  return (
    <div className="page page--wide my-day">
      <PageHeader
        title={t(hour < 12 ? 'myDay.morning' : hour < 18 ? 'myDay.afternoon' : 'myDay.evening', {
          name: me.member.displayName,
        })}
        subtitle={t('myDay.subtitle')}
      />
      <div className="my-day__grid">
        <TasksCard />
        <NotificationsCard />
        <NewLeadsCard />
      </div>
    </div>
  );
}

function TasksCard() {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const tasks = useResource((signal) => meApi.tasks('open', signal), []);
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const groups = useMemo(
    () =>
      groupTasks(
        (tasks.data ?? []).filter((task) => !done.has(task.id)),
        Date.now(),
      ),
    [tasks.data, done],
  );

  async function complete(task: TaskItem) {
    setDone((set) => new Set([...set, task.id]));
    try {
      await meApi.completeTask(task.id);
      toast.show(t('myDay.taskDone', { title: task.title }));
    } catch (caught) {
      setDone((set) => new Set([...set].filter((id) => id !== task.id)));
      toast.show(isApiProblem(caught) ? caught.detail : t('problem.unexpected'), 'error');
    }
  }

  const section = (
    title: string,
    list: TaskItem[],
    tone: 'overdue' | 'today' | 'later',
    testId: string,
  ) =>
    list.length === 0 ? null : (
      <section className="my-day__group" aria-label={title} data-testid={testId}>
        <h3 className={`my-day__group-title my-day__group-title--${tone}`}>
          {title} <span className="badge">{list.length}</span>
        </h3>
        <ul className="list-plain my-day__tasks">
          {list.map((task) => (
            <li key={task.id} className="task-row" data-testid="task-row">
              <input
                type="checkbox"
                className="task-row__check"
                aria-label={t('myDay.complete', { title: task.title })}
                onChange={() => void complete(task)}
              />
              <div className="task-row__body">
                {task.related?.appId && task.related.formId && task.related.recordId ? (
                  <button
                    type="button"
                    className="link-button task-row__title"
                    onClick={() =>
                      void navigate(
                        `/apps/${task.related?.appId ?? ''}/forms/${task.related?.formId ?? ''}/records/${task.related?.recordId ?? ''}`,
                      )
                    }
                  >
                    {task.title}
                  </button>
                ) : (
                  <span className="task-row__title">{task.title}</span>
                )}
                {task.description === null ? null : (
                  <p className="small muted">{task.description}</p>
                )}
              </div>
              {task.dueAt === null ? null : (
                <span
                  className={
                    tone === 'overdue' ? 'task-row__due task-row__due--late' : 'task-row__due'
                  }
                >
                  {formatDateTime(task.dueAt)}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    );

  return (
    <section className="card my-day__card" aria-labelledby="tasks-title" data-testid="my-tasks">
      <div className="card__header">
        <h2 id="tasks-title" className="card__title">
          <Icon name="task" /> {t('myDay.tasks')}
        </h2>
      </div>
      <div className="card__body">
        {tasks.error !== undefined ? (
          <ProblemNotice error={tasks.error} />
        ) : tasks.data === undefined ? (
          <Loading />
        ) : groups.overdue.length + groups.today.length + groups.later.length === 0 ? (
          <p className="muted">{t('myDay.noTasks')}</p>
        ) : (
          <>
            {section(t('myDay.overdue'), groups.overdue, 'overdue', 'tasks-overdue')}
            {section(t('myDay.today'), groups.today, 'today', 'tasks-today')}
            {section(t('myDay.later'), groups.later, 'later', 'tasks-later')}
          </>
        )}
      </div>
    </section>
  );
}

function notificationPath(link: Record<string, unknown> | null): string | null {
  if (link === null) return null;
  const { appId, formId, recordId } = link;
  if (typeof appId === 'string' && typeof formId === 'string' && typeof recordId === 'string')
    return `/apps/${appId}/forms/${formId}/records/${recordId}`;
  return null;
}

function NotificationsCard() {
  const { t, formatDateTime } = useI18n();
  const navigate = useNavigate();
  const live = useLiveNotifications();
  const open = (notification: NotificationItem) => {
    if (notification.readAt === null) live.markRead(notification.id);
    const path = notificationPath(notification.link);
    if (path !== null) void navigate(path);
  };
  return (
    <section
      className="card my-day__card"
      aria-labelledby="notifications-title"
      data-testid="my-notifications"
    >
      <div className="card__header row row--between">
        <h2 id="notifications-title" className="card__title">
          <Icon name="bell" /> {t('myDay.notifications')}{' '}
          {live.unread > 0 ? (
            <span className="badge badge--primary" data-testid="unread-count">
              {live.unread}
            </span>
          ) : null}
        </h2>
        <span className={`live-dot live-dot--${live.status}`} role="status">
          {t(`myDay.live.${live.status}`)}
        </span>
      </div>
      <div className="card__body">
        {live.items.length === 0 ? (
          live.error !== undefined ? (
            <ProblemNotice error={live.error} />
          ) : (
            <p className="muted">{t('myDay.noNotifications')}</p>
          )
        ) : (
          <>
            <ul className="list-plain my-day__notifications" aria-live="polite">
              {live.items.slice(0, 20).map((notification) => (
                <li
                  key={notification.id}
                  className={
                    notification.readAt === null
                      ? 'notification notification--unread'
                      : 'notification'
                  }
                  data-testid="notification"
                >
                  <button
                    type="button"
                    className="notification__button"
                    onClick={() => open(notification)}
                  >
                    <span className="notification__title">{notification.title}</span>
                    {notification.body === null ? null : (
                      <span className="small muted">{notification.body}</span>
                    )}
                    <span className="small muted">{formatDateTime(notification.createdAt)}</span>
                  </button>
                </li>
              ))}
            </ul>
            {live.unread > 0 ? (
              <Button size="small" variant="ghost" onClick={live.markAllRead}>
                {t('myDay.markAllRead')}
              </Button>
            ) : null}
          </>
        )}
      </div>
    </section>
  );
}

/** The lead forms of my apps (forms keyed `lead`), first published one. */
function leadForm(apps: readonly TrellisApp[]): { app: TrellisApp; formId: string } | null {
  for (const app of apps)
    for (const form of app.forms)
      if (LEAD_KEYS.includes(form.key) && form.publishedVersion !== null)
        return { app, formId: form.id };
  return null;
}

function NewLeadsCard() {
  const { t, text, formatShortDateTime } = useI18n();
  const me = useMe();
  const apps = useResource((signal) => appsApi.list(signal), []);
  const target = apps.data === undefined ? null : leadForm(apps.data);
  const filter = useMemo(
    () => ({
      and: [
        { field: 'owner_id', op: 'eq', value: me.member.id },
        { field: 'created_at', op: 'last_n_days', value: 7 },
      ],
    }),
    [me.member.id],
  );
  const leads = useResource(
    async (signal) => {
      if (target === null) return null;
      const [form, page] = await Promise.all([
        formsApi.get(target.formId, signal),
        recordsApi.list(
          target.formId,
          { filter, sort: '-created_at', limit: 8, count: true },
          signal,
        ),
      ]);
      return { form, page };
    },
    [target?.formId, filter],
  );
  return (
    <section className="card my-day__card" aria-labelledby="leads-title" data-testid="my-leads">
      <div className="card__header">
        <h2 id="leads-title" className="card__title">
          <Icon name="star" /> {t('myDay.newLeads')}
        </h2>
      </div>
      <div className="card__body">
        {apps.data === undefined ? (
          <Loading />
        ) : target === null ? (
          <p className="muted">{t('myDay.noLeadForm')}</p>
        ) : leads.error !== undefined ? (
          <ProblemNotice error={leads.error} />
        ) : leads.data === undefined || leads.data === null ? (
          <Loading />
        ) : leads.data.page.items.length === 0 ? (
          <p className="muted">{t('myDay.noNewLeads')}</p>
        ) : (
          <ul className="list-plain my-day__leads">
            {leads.data.page.items.map((record) => (
              <li key={record.id}>
                <Link to={`/apps/${target.app.id}/forms/${target.formId}/records/${record.id}`}>
                  {recordTitle(record, leads.data?.form.schema ?? null, t('records.untitled'))}
                </Link>
                <span className="small muted"> · {formatShortDateTime(record.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        {target === null ? null : (
          <Link
            className={buttonClass('ghost', 'small')}
            to={`/apps/${target.app.id}/forms/${target.formId}?filter=${encodeURIComponent(JSON.stringify(filter))}`}
          >
            {t('myDay.allNewLeads', { app: text(target.app.name) })}
          </Link>
        )}
      </div>
    </section>
  );
}
