import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { FlowDefinition } from '@trellis/flow-engine';
import { isApiProblem } from '../api/api-problem.js';
import {
  approvalsApi,
  pendingApprovalOf,
  type ApprovalBox,
  type ApprovalItem,
  type DecisionRequest,
} from '../api/approvals-api.js';
import { flowsApi } from '../api/flows-api.js';
import { formsApi, type FormDetail } from '../api/forms-api.js';
import { peopleApi, type Member } from '../api/people-api.js';
import { recordsApi, type TrellisRecord } from '../api/records-api.js';
import { useResource } from '../api/use-resource.js';
import { useMe } from '../auth/session-context.js';
import { recordTitle } from '../forms/field-data-source.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { SelectField, TextAreaField } from '../ui/form-field.js';
import { errorMessage, ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import { APPROVAL_MODE_KEYS } from './approval-labels.js';
import './inbox.css';

type Context = {
  form: FormDetail | null;
  flow: FlowDefinition | null;
  record: TrellisRecord | null;
};
type DecisionKind = DecisionRequest['kind'];

const BOXES: ReadonlyArray<{ box: ApprovalBox; label: MessageKey }> = [
  { box: 'pending', label: 'approvals.box.pending' },
  { box: 'submitted', label: 'approvals.box.submitted' },
  { box: 'decided', label: 'approvals.box.decided' },
];

const STATUS_KEYS: Readonly<Record<string, MessageKey>> = {
  pending: 'approvals.status.pending',
  returned: 'approvals.status.returned',
  approved: 'approvals.status.approved',
  rejected: 'approvals.status.rejected',
  withdrawn: 'approvals.status.withdrawn',
  cancelled: 'approvals.status.cancelled',
};

/** Loads, once per form and record, what an approval card needs to be readable. */
function useContexts(items: readonly ApprovalItem[] | undefined): ReadonlyMap<string, Context> {
  const [contexts, setContexts] = useState<ReadonlyMap<string, Context>>(new Map());
  const key = (items ?? []).map((item) => `${item.formId}:${item.recordId}`).join(',');
  useEffect(() => {
    if (items === undefined) return undefined;
    let live = true;
    const forms = new Map<
      string,
      Promise<{ form: FormDetail | null; flow: FlowDefinition | null }>
    >();
    const formOf = (formId: string) => {
      let found = forms.get(formId);
      if (found === undefined) {
        found = Promise.all([
          formsApi.get(formId).catch(() => null),
          flowsApi
            .get(formId)
            .then((doc) => parseFlowDefinition(doc.definition))
            .catch(() => null),
        ]).then(([form, flow]) => ({ form, flow }));
        forms.set(formId, found);
      }
      return found;
    };
    void Promise.all(
      items.map(async (item) => {
        const [{ form, flow }, record] = await Promise.all([
          formOf(item.formId),
          recordsApi.get(item.formId, item.recordId).catch(() => null),
        ]);
        return [item.id, { form, flow, record }] as const;
      }),
    ).then((entries) => {
      if (live) setContexts(new Map(entries));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return contexts;
}

/** Approvals waiting for me, the ones I submitted, and the ones already decided. */
export function ApprovalInboxPage() {
  const { t } = useI18n();
  const [box, setBox] = useState<ApprovalBox>('pending');
  const list = useResource((signal) => approvalsApi.list(box, signal), [box]);
  const members = useResource(
    (signal) => peopleApi.members(signal).catch(() => [] as Member[]),
    [],
  );
  const contexts = useContexts(list.data);
  return (
    <div className="page inbox-page">
      <PageHeader title={t('approvals.title')} subtitle={t('approvals.subtitle')} />
      <div className="tabs" role="tablist" aria-label={t('approvals.title')}>
        {BOXES.map((entry) => (
          <button
            key={entry.box}
            type="button"
            role="tab"
            aria-selected={box === entry.box}
            onClick={() => setBox(entry.box)}
            data-testid={`box-${entry.box}`}
          >
            {t(entry.label)}
            {entry.box === box && list.data !== undefined ? (
              <span className="badge">{list.data.length}</span>
            ) : null}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="spaced-top">
        {list.error !== undefined ? <ProblemNotice error={list.error} /> : null}
        {list.data === undefined ? (
          list.error === undefined ? (
            <Loading />
          ) : null
        ) : list.data.length === 0 ? (
          <div className="card">
            <EmptyState
              icon="inbox"
              title={t(box === 'pending' ? 'approvals.emptyPending' : 'approvals.empty')}
            />
          </div>
        ) : (
          <ul className="list-plain approval-list">
            {list.data.map((item) => (
              <ApprovalCard
                key={item.id}
                item={item}
                box={box}
                context={contexts.get(item.id)}
                members={members.data ?? []}
                onDecided={list.reload}
              />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function ApprovalCard({
  item,
  box,
  context,
  members,
  onDecided,
}: {
  item: ApprovalItem;
  box: ApprovalBox;
  context: Context | undefined;
  members: readonly Member[];
  onDecided(): void;
}) {
  const { t, text, formatDateTime } = useI18n();
  const me = useMe();
  const [deciding, setDeciding] = useState<DecisionKind | null>(null);
  const name = (id: string | null) =>
    id === null
      ? t('history.system')
      : id === me.member.id
        ? t('approvals.me')
        : (members.find((m) => m.id === id)?.displayName ?? t('history.someone'));
  const flow = context?.flow ?? null;
  const transition = flow?.transitions.find((tr) => tr.id === item.transitionId);
  const step = transition?.approval?.steps.find((s) => s.id === item.stepId);
  const detail = pendingApprovalOf(item.detail);
  const mode =
    step?.mode ??
    detail?.steps?.[0]?.mode ??
    (typeof (item.detail as { mode?: unknown } | null)?.mode === 'string'
      ? (item.detail as { mode: 'any' | 'all' | 'sequential' }).mode
      : undefined);
  const stateName = (id: string | undefined) => {
    const state = flow?.states.find((s) => s.id === id);
    return state === undefined ? (id ?? '') : text(state.label) || state.id;
  };
  const record = context?.record ?? null;
  const title =
    record === null
      ? t('approvals.loadingRecord')
      : recordTitle(record, context?.form?.schema ?? null, t('records.untitled'));
  const appId = context?.form?.appId;
  const canDecide = box === 'pending' && item.assignees.includes(me.member.id);
  const mine =
    item.submittedBy === me.member.id && (item.status === 'pending' || item.status === 'returned');
  return (
    <li className="approval-card card" data-testid="approval-card">
      <div className="approval-card__main">
        <div className="approval-card__head">
          {appId === undefined || record === null ? (
            <strong>{title}</strong>
          ) : (
            <Link
              to={`/apps/${appId}/forms/${item.formId}/records/${item.recordId}`}
              className="approval-card__title"
            >
              {title}
            </Link>
          )}
          <span
            className={
              item.status === 'pending'
                ? 'badge badge--warning'
                : item.status === 'approved'
                  ? 'badge badge--success'
                  : 'badge'
            }
          >
            {t(STATUS_KEYS[item.status] ?? 'approvals.status.pending')}
          </span>
        </div>
        <p className="approval-card__what">
          {context?.form === null || context?.form === undefined ? null : (
            <span className="muted">{text(context.form.name)} · </span>
          )}
          {transition === undefined
            ? item.transitionId
            : t('approvals.move', {
                action: text(transition.label) || transition.event,
                from:
                  transition.from === '*'
                    ? t('flow.anyStage')
                    : transition.from.map(stateName).join('、'),
                to: stateName(transition.to),
              })}
        </p>
        <p className="small muted">
          {t('approvals.submittedBy', {
            name: name(item.submittedBy),
            at: formatDateTime(item.createdAt),
          })}
          {step !== undefined && step.label !== null ? ` · ${text(step.label)}` : ''}
          {mode === undefined ? '' : ` · ${t(APPROVAL_MODE_KEYS[mode])}`}
        </p>
        {item.status === 'pending' ? (
          <p className="small">
            {t('approvals.waitingFor', { names: item.assignees.map(name).join('、') })}
          </p>
        ) : null}
      </div>
      <div className="approval-card__actions">
        {canDecide ? (
          <>
            <Button
              variant="primary"
              icon="check"
              onClick={() => setDeciding('approve')}
              data-testid="decide-approve"
            >
              {t('approvals.decision.approve')}
            </Button>
            <Button
              variant="danger"
              onClick={() => setDeciding('reject')}
              data-testid="decide-reject"
            >
              {t('approvals.decision.reject')}
            </Button>
            <Button onClick={() => setDeciding('return')} data-testid="decide-return">
              {t('approvals.decision.return')}
            </Button>
            <Button variant="ghost" onClick={() => setDeciding('reassign')}>
              {t('approvals.decision.reassign')}
            </Button>
            <Button variant="ghost" onClick={() => setDeciding('addSigner')}>
              {t('approvals.decision.addSigner')}
            </Button>
          </>
        ) : null}
        {mine ? (
          <>
            {item.status === 'returned' ? (
              <Button variant="primary" onClick={() => setDeciding('resubmit')}>
                {t('approvals.decision.resubmit')}
              </Button>
            ) : null}
            <Button onClick={() => setDeciding('withdraw')} data-testid="decide-withdraw">
              {t('approvals.decision.withdraw')}
            </Button>
          </>
        ) : null}
      </div>
      {deciding === null ? null : (
        <DecisionDialog
          kind={deciding}
          title={title}
          approvalId={item.id}
          members={members.filter((m) => m.status === 'active' && m.id !== me.member.id)}
          onClose={() => setDeciding(null)}
          onDone={() => {
            setDeciding(null);
            onDecided();
          }}
        />
      )}
    </li>
  );
}

const DECISION_TITLES: Readonly<Record<DecisionKind, MessageKey>> = {
  approve: 'approvals.decision.approve',
  reject: 'approvals.decision.reject',
  return: 'approvals.decision.return',
  withdraw: 'approvals.decision.withdraw',
  resubmit: 'approvals.decision.resubmit',
  reassign: 'approvals.decision.reassign',
  addSigner: 'approvals.decision.addSigner',
};

function DecisionDialog({
  kind,
  title,
  approvalId,
  members,
  onClose,
  onDone,
}: {
  kind: DecisionKind;
  title: string;
  approvalId: string;
  members: readonly Member[];
  onClose(): void;
  onDone(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const toast = useToast();
  const [comment, setComment] = useState('');
  const [user, setUser] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const needsUser = kind === 'reassign' || kind === 'addSigner';
  const commentErrors = isApiProblem(problem)
    ? problem.errors
        .filter((e) => e.code === 'COMMENT_REQUIRED' || e.path === 'comment')
        .map((e) =>
          e.code === 'COMMENT_REQUIRED' ? t('approvals.commentRequired') : errorMessage(e, i18n),
        )
    : [];
  const userErrors = isApiProblem(problem)
    ? problem.errors.filter((e) => e.path === 'user').map((e) => errorMessage(e, i18n))
    : [];

  async function submit() {
    setBusy(true);
    setProblem(null);
    const trimmed = comment.trim();
    const request: DecisionRequest = needsUser
      ? {
          kind: kind as 'reassign' | 'addSigner',
          user,
          ...(trimmed === '' ? {} : { comment: trimmed }),
        }
      : {
          kind: kind as Exclude<DecisionKind, 'reassign' | 'addSigner'>,
          ...(trimmed === '' ? {} : { comment: trimmed }),
        };
    try {
      await approvalsApi.decide(approvalId, request);
      toast.show(t('approvals.decided', { decision: t(DECISION_TITLES[kind]) }));
      onDone();
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      title={`${t(DECISION_TITLES[kind])} · ${title}`}
      onClose={onClose}
      testId="decision-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            variant={kind === 'reject' ? 'danger' : 'primary'}
            busy={busy}
            disabled={needsUser && user === ''}
            onClick={() => void submit()}
            data-testid="decision-confirm"
          >
            {t(DECISION_TITLES[kind])}
          </Button>
        </>
      }
    >
      <div className="form-stack">
        {problem === null ? null : (
          <ProblemNotice
            error={problem}
            errors={
              isApiProblem(problem)
                ? problem.errors.filter(
                    (e) =>
                      e.code !== 'COMMENT_REQUIRED' && e.path !== 'comment' && e.path !== 'user',
                  )
                : []
            }
          />
        )}
        {needsUser ? (
          <SelectField
            label={kind === 'reassign' ? t('approvals.reassignTo') : t('approvals.addSignerWho')}
            required
            value={user}
            placeholder={t('approvals.pickMember')}
            options={members.map((m) => ({ value: m.id, label: m.displayName }))}
            onChange={(event) => setUser(event.target.value)}
            error={userErrors}
          />
        ) : null}
        <TextAreaField
          label={t('approvals.comment')}
          hint={
            kind === 'reject' || kind === 'return'
              ? t('approvals.commentHintRequired')
              : t('approvals.commentHint')
          }
          rows={3}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          error={commentErrors}
          testId="decision-comment"
        />
      </div>
    </Dialog>
  );
}
