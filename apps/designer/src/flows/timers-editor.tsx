import type { TimerAction, TimerDef } from '@trellis/flow-engine';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { formatDuration, newTimer, parseDuration, type DurationParts } from './flow-model.js';

const ACTION_LABELS: Readonly<Record<TimerAction['kind'], MessageKey>> = {
  remind: 'flow.timer.remind',
  escalate: 'flow.timer.escalate',
  fireEvent: 'flow.timer.fireEvent',
  autoApprove: 'flow.timer.autoApprove',
  return: 'flow.timer.return',
  reassign: 'flow.timer.reassign',
};

function defaultAction(kind: TimerAction['kind'], events: readonly string[]): TimerAction {
  switch (kind) {
    case 'remind':
      return { kind, to: null };
    case 'escalate':
      return { kind, levels: 1 };
    case 'fireEvent':
      return { kind, event: events[0] ?? '' };
    case 'autoApprove':
    case 'return':
      return { kind };
    case 'reassign':
      return { kind, to: [{ kind: 'managerChain', levels: 1, of: 'assignee' }] };
  }
}

/**
 * SLA timers of a stage or an approval step: after a duration (calendar or working time),
 * remind, escalate, or act (fire an event; approve, return or reassign an approval).
 */
export function TimersEditor({
  scope,
  timers,
  events,
  onChange,
  issues,
  testId,
}: {
  scope: 'state' | 'approval';
  timers: readonly TimerDef[];
  /** Events leaving the stage (for "fire an event"). */
  events: readonly string[];
  onChange(next: TimerDef[]): void;
  issues(index: number): string[];
  testId?: string;
}) {
  const { t } = useI18n();
  const kinds: TimerAction['kind'][] =
    scope === 'state'
      ? ['remind', 'escalate', 'fireEvent']
      : ['remind', 'escalate', 'autoApprove', 'return', 'reassign'];
  const set = (index: number, timer: TimerDef) =>
    onChange(timers.map((item, i) => (i === index ? timer : item)));
  return (
    <div className="timers-editor" data-testid={testId}>
      {timers.length === 0 ? <p className="small muted">{t('flow.timer.none')}</p> : null}
      <ol className="list-plain timers-editor__list">
        {timers.map((timer, index) => {
          const parts: DurationParts = parseDuration(timer.after) ?? { amount: 4, unit: 'hours' };
          const errors = issues(index);
          return (
            <li key={index} className="timer-row" data-testid="timer-row">
              <div className="timer-row__line">
                <span className="small">{t('flow.timer.after')}</span>
                <input
                  className="input timer-row__amount"
                  type="number"
                  min={0}
                  aria-label={t('flow.timer.amount')}
                  value={parts.amount}
                  onChange={(event) =>
                    set(index, {
                      ...timer,
                      after: formatDuration({ ...parts, amount: Number(event.target.value) }),
                    })
                  }
                />
                <select
                  className="select"
                  aria-label={t('flow.timer.unit')}
                  value={parts.unit}
                  onChange={(event) =>
                    set(index, {
                      ...timer,
                      after: formatDuration({
                        ...parts,
                        unit: event.target.value as DurationParts['unit'],
                      }),
                    })
                  }
                >
                  <option value="minutes">{t('flow.timer.minutes')}</option>
                  <option value="hours">{t('flow.timer.hours')}</option>
                  <option value="days">{t('flow.timer.days')}</option>
                </select>
                <select
                  className="select"
                  aria-label={t('flow.timer.clock')}
                  value={timer.clock}
                  onChange={(event) =>
                    set(index, {
                      ...timer,
                      clock: event.target.value === 'working' ? 'working' : 'calendar',
                    })
                  }
                >
                  <option value="working">{t('flow.timer.working')}</option>
                  <option value="calendar">{t('flow.timer.calendar')}</option>
                </select>
              </div>
              <div className="timer-row__line">
                <select
                  className="select"
                  aria-label={t('flow.timer.action')}
                  value={timer.action.kind}
                  onChange={(event) =>
                    set(index, {
                      ...timer,
                      action: defaultAction(event.target.value as TimerAction['kind'], events),
                    })
                  }
                >
                  {kinds.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(ACTION_LABELS[kind])}
                    </option>
                  ))}
                </select>
                {timer.action.kind === 'escalate' ? (
                  <label className="timer-row__inline">
                    <span className="small">{t('flow.timer.levels')}</span>
                    <input
                      className="input timer-row__amount"
                      type="number"
                      min={1}
                      max={5}
                      value={timer.action.levels}
                      onChange={(event) =>
                        set(index, {
                          ...timer,
                          action: {
                            kind: 'escalate',
                            levels: Math.max(1, Number(event.target.value)),
                          },
                        })
                      }
                    />
                  </label>
                ) : null}
                {timer.action.kind === 'fireEvent' ? (
                  <select
                    className="select"
                    aria-label={t('flow.timer.event')}
                    value={timer.action.event}
                    onChange={(event) =>
                      set(index, {
                        ...timer,
                        action: { kind: 'fireEvent', event: event.target.value },
                      })
                    }
                  >
                    {events.length === 0 ? (
                      <option value="">{t('flow.timer.noEvents')}</option>
                    ) : null}
                    {events.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                ) : null}
                <Button
                  size="small"
                  variant="ghost"
                  icon="trash"
                  iconLabel={t('flow.timer.remove')}
                  onClick={() => onChange(timers.filter((_, i) => i !== index))}
                />
              </div>
              {errors.length > 0 ? (
                <p className="field__error" role="alert">
                  {errors.join(' ')}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      <Button size="small" icon="plus" onClick={() => onChange([...timers, newTimer(timers)])}>
        {t('flow.timer.add')}
      </Button>
    </div>
  );
}
