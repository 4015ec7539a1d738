import type { AvailableTransition, FlowDefinition } from '@trellis/flow-engine';
import type { Member } from '../api/people-api.js';
import type { HistoryEntry } from '../api/records-api.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { stageLabel } from './stage-mover.js';

/** The stages in order with the record's current one marked (won/lost shown once reached). */
export function StageStepper({ flow, stage }: { flow: FlowDefinition; stage: string | null }) {
  const { t, text } = useI18n();
  const states = [...flow.states].sort((a, b) => a.order - b.order);
  const current = states.find((s) => s.id === stage);
  const open = states.filter((s) => s.kind === 'normal');
  const currentIndex = open.findIndex((s) => s.id === stage);
  const shown = current !== undefined && current.kind !== 'normal' ? [...open, current] : open;
  return (
    <ol
      className="stage-stepper list-plain"
      aria-label={t('stage.current')}
      data-testid="stage-stepper"
    >
      {shown.map((state, index) => {
        const done = current?.kind !== 'normal' ? state.id !== stage : index < currentIndex;
        const here = state.id === stage;
        return (
          <li
            key={state.id}
            className={[
              'stage-stepper__step',
              here ? `stage-stepper__step--current stage-stepper__step--${state.kind}` : '',
              done ? 'stage-stepper__step--done' : '',
            ]
              .filter(Boolean)
              .join(' ')}
            aria-current={here ? 'step' : undefined}
          >
            {text(state.label) || state.id}
          </li>
        );
      })}
    </ol>
  );
}

/** Buttons for the moves out of the current stage (disabled ones say why). */
export function TransitionButtons({
  transitions,
  busy,
  onFire,
}: {
  transitions: readonly AvailableTransition[];
  busy: boolean;
  onFire(transition: AvailableTransition): void;
}) {
  const { t, text } = useI18n();
  if (transitions.length === 0) return <p className="small muted">{t('stage.noMoves')}</p>;
  const pending = transitions.some((tr) => tr.reasons.some((r) => r.code === 'APPROVAL_PENDING'));
  return (
    <div className="transition-buttons" data-testid="transition-buttons">
      {pending ? <span className="badge badge--warning">{t('stage.pendingApproval')}</span> : null}
      {transitions.map((transition) => {
        const label = text(transition.label) || text(transition.toLabel) || transition.to;
        const blocked = transition.reasons.some(
          (r) => r.code === 'APPROVAL_PENDING' || r.code === 'NOT_ALLOWED',
        );
        return (
          <Button
            key={transition.transitionId}
            size="small"
            variant={transition.enabled ? 'primary' : 'secondary'}
            disabled={busy || blocked}
            title={
              transition.enabled ? undefined : transition.reasons.map((r) => r.message).join(' ')
            }
            onClick={() => onFire(transition)}
            data-testid={`transition-${transition.event}`}
          >
            {label}
            {transition.needsApproval ? (
              <span className="small"> · {t('kanban.needsApproval')}</span>
            ) : null}
          </Button>
        );
      })}
    </div>
  );
}

const DECISION_KEYS: Readonly<Record<string, MessageKey>> = {
  approve: 'approvals.decision.approve',
  reject: 'approvals.decision.reject',
  return: 'approvals.decision.return',
  withdraw: 'approvals.decision.withdraw',
  resubmit: 'approvals.decision.resubmit',
  reassign: 'approvals.decision.reassign',
  addSigner: 'approvals.decision.addSigner',
};

type FlowDetail = {
  from?: string | null;
  to?: string;
  comment?: string | null;
  decision?: string | null;
  kind?: string;
};

function detailOf(entry: HistoryEntry): FlowDetail {
  return typeof entry.detail === 'object' && entry.detail !== null
    ? (entry.detail as FlowDetail)
    : {};
}

/** The record's stage history: entries, moves, approvals and timers, newest first. */
export function StageHistory({
  entries,
  flow,
  members,
}: {
  entries: readonly HistoryEntry[];
  flow: FlowDefinition | null;
  members: readonly Member[];
}) {
  const { t, text, formatDateTime } = useI18n();
  const names = new Map(members.map((m) => [m.id, m.displayName]));
  const flowEntries = entries
    .filter((entry) => entry.kind.startsWith('flow.'))
    .sort((a, b) => b.version - a.version || b.at.localeCompare(a.at));
  if (flowEntries.length === 0) return <p className="muted">{t('stage.noHistory')}</p>;
  const name = (stage: string | null | undefined) => stageLabel(flow, stage ?? null, text);
  return (
    <ol className="timeline list-plain" data-testid="stage-history">
      {flowEntries.map((entry) => {
        const detail = detailOf(entry);
        const kind = entry.kind.slice('flow.'.length);
        const what =
          kind === 'start'
            ? t('stage.entered', { stage: name(detail.to) })
            : kind === 'transition'
              ? t('stage.moved', { from: name(detail.from), to: name(detail.to) })
              : kind === 'approvalSubmitted'
                ? t('stage.submitted', {
                    from: name(detail.from),
                    to: name(
                      flow?.transitions.find(
                        (tr) => tr.event === (entry.detail as { event?: string }).event,
                      )?.to ?? detail.to,
                    ),
                  })
                : kind === 'approvalDecision'
                  ? t('stage.decision', {
                      decision: t(
                        DECISION_KEYS[detail.decision ?? ''] ?? 'approvals.decision.approve',
                      ),
                    })
                  : kind === 'timer'
                    ? t('stage.timer')
                    : t('stage.migration');
        return (
          <li key={entry.id} className="timeline__item">
            <div className="timeline__dot" aria-hidden="true" />
            <div className="timeline__body">
              <p>
                <strong>
                  {entry.actorMemberId === null
                    ? t('history.system')
                    : (names.get(entry.actorMemberId) ?? t('history.someone'))}
                </strong>{' '}
                {what}
                <span className="timeline__time"> · {formatDateTime(entry.at)}</span>
              </p>
              {detail.comment === null ||
              detail.comment === undefined ||
              detail.comment === '' ? null : (
                <p className="small muted">{t('stage.comment', { comment: detail.comment })}</p>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
