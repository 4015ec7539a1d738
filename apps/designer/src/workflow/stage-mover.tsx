import { useState } from 'react';
import type { ReactNode } from 'react';
import type { FlowDefinition, LocalizedText } from '@trellis/flow-engine';
import type { ExplainNode } from '@trellis/rule-engine';
import { isApiProblem, type ApiProblem, type ProblemError } from '../api/api-problem.js';
import { flowsApi, type TransitionRequest } from '../api/flows-api.js';
import type { TrellisRecord } from '../api/records-api.js';
import { recordTitle } from '../forms/field-data-source.js';
import type { CompiledFormLike } from '../forms/form-runtime-types.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { Notice, problemMessage } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';
import { ExplainTree } from './explain-tree.js';
import { TransitionFieldsDialog, type FieldsOutcome } from './transition-fields-dialog.js';
import './workflow.css';

type Pending =
  | {
      kind: 'fields';
      record: TrellisRecord;
      request: TransitionRequest;
      fields: string[];
      guard: ProblemError[];
    }
  | { kind: 'refused'; record: TrellisRecord; request: TransitionRequest; problem: ApiProblem };

export type StageMover = {
  /** Fires a move; refusals open the dialog that explains them or asks for the missing fields. */
  move(record: TrellisRecord, request: TransitionRequest): Promise<TrellisRecord | null>;
  busy: boolean;
  /** The dialogs to render (fields, refusals). */
  dialogs: ReactNode;
};

export function stageLabel(
  def: FlowDefinition | null,
  stage: string | null,
  text: (v: LocalizedText | null | undefined) => string,
): string {
  if (stage === null) return '';
  const state = def?.states.find((s) => s.id === stage);
  return state === undefined ? stage : text(state.label) || stage;
}

function isExplainNode(value: unknown): value is ExplainNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { op?: unknown }).op === 'string'
  );
}

/** A refusal in words: the guard's message, why it failed, what is pending or not allowed. */
export function RefusalReasons({
  errors,
  compiled,
  testId,
}: {
  errors: readonly ProblemError[];
  compiled: CompiledFormLike | null;
  testId?: string;
}) {
  const i18n = useI18n();
  const { t, text } = i18n;
  const fields = compiled?.schema.fields ?? [];
  const label = (id: string) => text(fields.find((f) => f.id === id)?.label) || id;
  const missing = errors.filter((e) => e.code === 'MISSING_REQUIRED_FIELDS');
  const others = errors.filter((e) => e.code !== 'MISSING_REQUIRED_FIELDS');
  return (
    <div className="refusal" data-testid={testId}>
      {others.map((error, index) => {
        const guardMessage = error['guardMessage'] as LocalizedText | undefined;
        const explanation = error['explanation'];
        return (
          <div key={index} className="refusal__reason">
            <p className="refusal__headline" data-testid="refusal-message">
              {error.code === 'GUARD_FALSE'
                ? guardMessage !== undefined
                  ? text(guardMessage)
                  : t('move.guardFalse')
                : error.code === 'APPROVAL_PENDING'
                  ? t('move.approvalPending')
                  : error.code === 'NOT_ALLOWED'
                    ? t('move.notAllowed')
                    : error.code === 'NO_SUCH_TRANSITION'
                      ? t('move.noSuchTransition')
                      : i18n.locale === 'en' && error.message !== ''
                        ? error.message
                        : t('move.refused')}
            </p>
            {error.code === 'GUARD_FALSE' && isExplainNode(explanation) ? (
              <details open className="refusal__why">
                <summary>{t('move.why')}</summary>
                <ExplainTree node={explanation} fields={fields} testId="refusal-explanation" />
              </details>
            ) : null}
          </div>
        );
      })}
      {missing.length > 0 ? (
        <p className="refusal__headline">
          {t('move.missingFields', {
            fields: missing
              .map((e) => label(String(e['field'] ?? e.path.replace(/^values\./, ''))))
              .join('、'),
          })}
        </p>
      ) : null}
    </div>
  );
}

/** Moves records along their form's flow, with the dialogs a refusal needs. */
export function useStageMover({
  formId,
  compiled,
  flow,
  onMoved,
}: {
  formId: string;
  compiled: CompiledFormLike | null;
  flow: FlowDefinition | null;
  onMoved(before: TrellisRecord, after: TrellisRecord): void;
}): StageMover {
  const i18n = useI18n();
  const { t, text } = i18n;
  const toast = useToast();
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);

  async function fire(
    record: TrellisRecord,
    request: TransitionRequest,
  ): Promise<{ moved: TrellisRecord | null; error: unknown }> {
    setBusy(true);
    try {
      const moved = await flowsApi.fire(formId, record.id, request);
      onMoved(record, moved);
      const target =
        'to' in request
          ? request.to
          : (flow?.transitions.find((tr) => tr.event === request.event)?.to ?? null);
      if (moved.stage === record.stage && target !== null && target !== record.stage)
        toast.show(t('move.submittedForApproval', { stage: stageLabel(flow, target, text) }));
      else
        toast.show(
          t('move.moved', {
            title: recordTitle(moved, compiled?.schema ?? null, t('records.untitled')),
            stage: stageLabel(flow, moved.stage, text),
          }),
        );
      return { moved, error: undefined };
    } catch (error) {
      return { moved: null, error };
    } finally {
      setBusy(false);
    }
  }

  async function move(
    record: TrellisRecord,
    request: TransitionRequest,
  ): Promise<TrellisRecord | null> {
    const { moved, error } = await fire(record, request);
    if (moved !== null) return moved;
    if (isApiProblem(error) && (error.status === 409 || error.status === 403)) {
      const missing = error.errors.filter((e) => e.code === 'MISSING_REQUIRED_FIELDS');
      const guard = error.errors.filter((e) => e.code !== 'MISSING_REQUIRED_FIELDS');
      if (missing.length > 0 && compiled !== null && guard.every((e) => e.code === 'GUARD_FALSE')) {
        setPending({
          kind: 'fields',
          record,
          request,
          fields: missing.map((e) => String(e['field'] ?? e.path.replace(/^values\./, ''))),
          guard,
        });
      } else setPending({ kind: 'refused', record, request, problem: error });
    } else {
      toast.show(problemMessage(error, i18n), 'error');
    }
    return null;
  }

  async function retryWithValues(values: Record<string, unknown>): Promise<FieldsOutcome> {
    if (pending?.kind !== 'fields') return { ok: true };
    const { moved, error } = await fire(pending.record, { ...pending.request, values });
    if (moved !== null) {
      setPending(null);
      return { ok: true };
    }
    if (
      isApiProblem(error) &&
      error.errors.some(
        (e) =>
          e.code !== 'MISSING_REQUIRED_FIELDS' &&
          e.code !== 'GUARD_FALSE' &&
          !e.path.startsWith('values.'),
      )
    ) {
      setPending({
        kind: 'refused',
        record: pending.record,
        request: pending.request,
        problem: error,
      });
      return { ok: true };
    }
    return { ok: false, error };
  }

  const target = (request: TransitionRequest) =>
    'to' in request
      ? request.to
      : (flow?.transitions.find((tr) => tr.event === request.event)?.to ?? null);

  let dialogs: ReactNode = null;
  if (pending?.kind === 'fields' && compiled !== null) {
    dialogs = (
      <TransitionFieldsDialog
        compiled={compiled}
        record={pending.record}
        fieldIds={pending.fields}
        title={t('move.fieldsTitle', { stage: stageLabel(flow, target(pending.request), text) })}
        intro={
          <>
            <p className="muted">{t('move.fieldsIntro')}</p>
            {pending.guard.length > 0 ? (
              <Notice tone="warning">
                <RefusalReasons errors={pending.guard} compiled={compiled} />
              </Notice>
            ) : null}
          </>
        }
        submitLabel={t('move.fieldsSubmit', {
          stage: stageLabel(flow, target(pending.request), text),
        })}
        onSubmit={retryWithValues}
        onClose={() => setPending(null)}
      />
    );
  } else if (pending?.kind === 'refused') {
    dialogs = (
      <Dialog
        open
        title={t('move.refusedTitle', { stage: stageLabel(flow, target(pending.request), text) })}
        onClose={() => setPending(null)}
        testId="refusal-dialog"
        footer={
          <Button variant="primary" onClick={() => setPending(null)}>
            {t('move.understood')}
          </Button>
        }
      >
        <p className="muted">
          {t('move.refusedFor', {
            title: recordTitle(pending.record, compiled?.schema ?? null, t('records.untitled')),
          })}
        </p>
        <RefusalReasons
          errors={pending.problem.errors}
          compiled={compiled}
          testId="refusal-reasons"
        />
        {pending.problem.errors.length === 0 ? (
          <p>{problemMessage(pending.problem, i18n)}</p>
        ) : null}
      </Dialog>
    );
  }
  return { move, busy, dialogs };
}
