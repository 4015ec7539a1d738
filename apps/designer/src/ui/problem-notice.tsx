import type { ReactNode } from 'react';
import { isApiProblem, type ApiProblem, type ProblemError } from '../api/api-problem.js';
import type { I18n } from '../i18n/i18n-context.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Icon } from './icon.js';

const PROBLEM_MESSAGES: Readonly<Record<string, MessageKey>> = {
  NETWORK: 'problem.network',
  UNAUTHENTICATED: 'problem.unauthenticated',
  FORBIDDEN: 'problem.forbidden',
  NOT_FOUND: 'problem.notFound',
  VALIDATION_FAILED: 'problem.validation',
  BAD_REQUEST: 'problem.validation',
  CONFLICT: 'problem.conflict',
  VERSION_CONFLICT: 'problem.versionConflict',
  UNIQUE_VIOLATION: 'problem.unique',
  TRANSITION_REFUSED: 'problem.transitionRefused',
  PAYLOAD_TOO_LARGE: 'problem.tooLarge',
  RATE_LIMITED: 'problem.rateLimited',
  UNAVAILABLE: 'problem.unavailable',
  INTERNAL: 'problem.internal',
};

const ERROR_MESSAGES: Readonly<Record<string, MessageKey>> = {
  REQUIRED: 'validation.required',
  INVALID_FORMAT: 'validation.format',
  INVALID_TYPE: 'validation.type',
  INVALID_VALUE: 'validation.value',
  TOO_SMALL: 'validation.tooSmall',
  TOO_BIG: 'validation.tooBig',
  UNIQUE: 'validation.unique',
  UNKNOWN_KEY: 'validation.unknownKey',
  UNKNOWN_FIELD: 'validation.unknownKey',
  STALE_VERSION: 'problem.versionConflict',
  INVITATION_REQUIRED: 'auth.invitationRequired',
};

/** The headline of a problem in the current language. */
export function problemMessage(error: unknown, i18n: Pick<I18n, 't'>): string {
  if (!isApiProblem(error)) return i18n.t('problem.unexpected');
  const key = PROBLEM_MESSAGES[error.code];
  return key === undefined ? error.detail : i18n.t(key);
}

/**
 * One located error in the current language: form-engine's own translation when it sent both,
 * the server's words in English, our translation of the code in Chinese.
 */
export function errorMessage(error: ProblemError, i18n: Pick<I18n, 't' | 'locale'>): string {
  const translated = error.messages?.[i18n.locale];
  if (translated !== undefined && translated !== '') return translated;
  if (i18n.locale === 'en' && error.message !== '') return error.message;
  const key = ERROR_MESSAGES[error.code];
  return key === undefined ? error.message : i18n.t(key);
}

export type NoticeTone = 'error' | 'warning' | 'success' | 'info';

export function Notice({
  tone,
  title,
  children,
  testId,
}: {
  tone: NoticeTone;
  title?: ReactNode;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className={`notice notice--${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <Icon name={tone === 'success' ? 'check' : tone === 'info' ? 'info' : 'alert'} />
      <div className="notice__body">
        {title === undefined ? null : <div className="notice__title">{title}</div>}
        {children}
      </div>
    </div>
  );
}

/**
 * A failed request: the headline, plus the located errors the screen could not put next to a
 * field (`errors`, when given, replaces the problem's own list).
 */
export function ProblemNotice({
  error,
  errors,
  testId = 'problem',
}: {
  error: unknown;
  errors?: readonly ProblemError[];
  testId?: string;
}) {
  const i18n = useI18n();
  if (error === undefined || error === null) return null;
  const problem: ApiProblem | null = isApiProblem(error) ? error : null;
  const list = errors ?? problem?.errors ?? [];
  const showDetail =
    problem !== null &&
    i18n.locale === 'en' &&
    problem.detail !== '' &&
    problem.detail !== problemMessage(problem, i18n) &&
    !/^HTTP \d+$/.test(problem.detail);
  return (
    <Notice tone="error" title={problemMessage(error, i18n)} testId={testId}>
      {showDetail ? <p>{problem.detail}</p> : null}
      {list.length === 0 ? null : (
        <ul>
          {list.map((item, index) => (
            <li key={`${item.path}-${index}`}>{errorMessage(item, i18n)}</li>
          ))}
        </ul>
      )}
    </Notice>
  );
}
