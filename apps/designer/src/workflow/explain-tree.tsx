import type { ExplainNode } from '@trellis/rule-engine';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n, type I18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

const OPERATOR_WORDS: Readonly<Record<string, MessageKey>> = {
  '==': 'explain.op.eq',
  '===': 'explain.op.eq',
  '!=': 'explain.op.neq',
  '!==': 'explain.op.neq',
  '>': 'explain.op.gt',
  '>=': 'explain.op.gte',
  '<': 'explain.op.lt',
  '<=': 'explain.op.lte',
  in: 'explain.op.in',
  contains: 'explain.op.contains',
  starts_with: 'explain.op.startsWith',
  is_empty: 'explain.op.isEmpty',
  '!': 'explain.op.not',
  '!!': 'explain.op.notEmpty',
};

function show(value: unknown, i18n: Pick<I18n, 't'>): string {
  if (value === null || value === undefined || value === '') return i18n.t('explain.empty');
  if (typeof value === 'boolean') return value ? i18n.t('common.yes') : i18n.t('common.no');
  if (Array.isArray(value)) return value.map((v) => show(v, i18n)).join('、');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One operand in words: a field by its label (with its current value), else the value. */
function operand(
  node: ExplainNode,
  labelOf: (id: string) => string,
  i18n: Pick<I18n, 't'>,
): string {
  if (node.op === 'var' && node.var !== undefined)
    return i18n.t('explain.fieldNow', { field: labelOf(node.var), value: show(node.value, i18n) });
  if (node.op === 'literal' || node.op === 'array') return `“${show(node.value, i18n)}”`;
  return show(node.value, i18n);
}

/** A comparison or a test as a sentence; null when the node has no simple reading. */
export function explainSentence(
  node: ExplainNode,
  labelOf: (id: string) => string,
  i18n: Pick<I18n, 't'>,
): string | null {
  const word = OPERATOR_WORDS[node.op];
  if (word === undefined) return null;
  const [left, right] = node.args;
  if (left === undefined) return null;
  if (node.op === '!' || node.op === '!!' || node.op === 'is_empty') {
    if (left.op === 'var') return `${labelOf(left.var ?? '')} ${i18n.t(word)}`;
    return null;
  }
  if (right === undefined) return null;
  if (node.op === 'in' && right.op === 'var')
    return `${operand(right, labelOf, i18n)} ${i18n.t('explain.op.contains')} ${operand(left, labelOf, i18n)}`;
  return `${operand(left, labelOf, i18n)} ${i18n.t(word)} ${operand(right, labelOf, i18n)}`;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function Item({ node, labelOf }: { node: ExplainNode; labelOf: (id: string) => string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const ok = truthy(node.value);
  const mark = !node.evaluated ? (
    <span className="explain__mark explain__mark--skipped">{t('explain.skipped')}</span>
  ) : ok ? (
    <span className="explain__mark explain__mark--ok">✓ {t('explain.met')}</span>
  ) : (
    <span className="explain__mark explain__mark--no">✗ {t('explain.notMet')}</span>
  );
  if (node.op === 'and' || node.op === 'or') {
    return (
      <li>
        <span>{t(node.op === 'and' ? 'explain.all' : 'explain.any')}</span> {mark}
        <ul className="explain__children">
          {node.args.map((child, index) => (
            <Item key={index} node={child} labelOf={labelOf} />
          ))}
        </ul>
      </li>
    );
  }
  const sentence = explainSentence(node, labelOf, i18n);
  return (
    <li>
      <span>
        {sentence ?? <code className="mono small">{JSON.stringify({ [node.op]: '…' })}</code>}
      </span>{' '}
      {mark}
      {node.error === undefined ? null : (
        <span className="field__error"> {node.error.message}</span>
      )}
    </li>
  );
}

/** The rule engine's evaluation tree, read out: each condition, its values and whether it held. */
export function ExplainTree({
  node,
  fields,
  testId,
}: {
  node: ExplainNode;
  fields: readonly FieldSchema[];
  testId?: string;
}) {
  const { text } = useI18n();
  const labelOf = (id: string) => {
    const field = fields.find((f) => f.id === id || f.id === id.split('.')[0]);
    return field === undefined ? id : text(field.label) || id;
  };
  return (
    <ul className="explain" data-testid={testId}>
      <Item node={node} labelOf={labelOf} />
    </ul>
  );
}
