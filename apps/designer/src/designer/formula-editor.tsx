import { useEffect, useId, useRef, useState } from 'react';
import type { FieldSchema, FormulaResultType, JsonLogic } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { SelectField } from '../ui/form-field.js';
import { FieldGlyph } from './field-glyph.js';
import {
  formatFormula,
  FORMULA_FUNCTIONS,
  parseFormula,
  type FormulaError,
} from './formula-expression.js';

const ERROR_MESSAGES: Readonly<Record<FormulaError['message'], MessageKey>> = {
  unexpected: 'formula.error.unexpected',
  unclosed: 'formula.error.unclosed',
  unknownFunction: 'formula.error.unknownFunction',
  arity: 'formula.error.arity',
  empty: 'formula.error.empty',
};

const QUICK_FUNCTIONS = ['IF', 'ROUND', 'CONCAT', 'MIN', 'MAX', 'DATE_DIFF', 'COALESCE'];

/** Formula text with a field picker; it is stored as JsonLogic. */
export function FormulaEditor({
  field,
  fields,
  onChange,
}: {
  field: FieldSchema;
  fields: readonly FieldSchema[];
  onChange(patch: { formula?: JsonLogic; resultType?: FormulaResultType }): void;
}) {
  const { t, text } = useI18n();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const formatted = formatFormula(field.formula ?? 0);
  const [source, setSource] = useState(formatted ?? '');
  const [error, setError] = useState<FormulaError | null>(null);
  const formulaKey = JSON.stringify(field.formula ?? null);

  useEffect(() => {
    const parsed = parseFormula(source);
    if (!parsed.ok || JSON.stringify(parsed.logic) !== formulaKey) {
      setSource(formatFormula(field.formula ?? 0) ?? '');
      setError(null);
    }
    // Only an outside change of the stored formula resets the text.
  }, [field.id, formulaKey]);

  function update(next: string) {
    setSource(next);
    const parsed = parseFormula(next);
    if (parsed.ok) {
      setError(null);
      onChange({ formula: parsed.logic });
    } else setError(parsed.error);
  }

  function insert(snippet: string) {
    const area = ref.current;
    const start = area?.selectionStart ?? source.length;
    const end = area?.selectionEnd ?? source.length;
    const next = source.slice(0, start) + snippet + source.slice(end);
    update(next);
    window.requestAnimationFrame(() => {
      area?.focus();
      const caret = start + snippet.length - (snippet.endsWith('()') ? 1 : 0);
      area?.setSelectionRange(caret, caret);
    });
  }

  const readable = source.replace(/\{([a-z][a-z0-9_]*)\}/g, (whole, name: string) => {
    const target = fields.find((f) => f.id === name);
    return target === undefined ? whole : `【${text(target.label)}】`;
  });
  const unknown = [...source.matchAll(/\{([a-z][a-z0-9_]*)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !fields.some((f) => f.id === name));
  const candidates = fields.filter((f) => f.id !== field.id && f.type !== 'sub_table');

  return (
    <div className="formula-editor">
      {formatted === null ? <p className="small muted">{t('formula.jsonOnly')}</p> : null}
      <label htmlFor={id} className="field__label">
        {t('formula.expression')}
      </label>
      <textarea
        id={id}
        ref={ref}
        className="textarea mono"
        rows={3}
        spellCheck={false}
        value={source}
        aria-invalid={error !== null || unknown.length > 0 || undefined}
        aria-describedby={`${id}-status`}
        onChange={(event) => update(event.target.value)}
        data-testid="formula-input"
      />
      <p
        id={`${id}-status`}
        className={error === null && unknown.length === 0 ? 'field__hint' : 'field__error'}
        role="status"
      >
        {error !== null
          ? t(ERROR_MESSAGES[error.message], { at: error.at + 1, detail: error.detail ?? '' })
          : unknown.length > 0
            ? t('formula.unknownField', { name: unknown.join(', ') })
            : t('formula.readsAs', { text: readable })}
      </p>
      <div className="formula-editor__picker">
        <span className="small muted">{t('formula.insertField')}</span>
        <div className="formula-editor__chips">
          {candidates.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              className="chip formula-editor__chip"
              onClick={() => insert(`{${candidate.id}}`)}
            >
              <span aria-hidden="true">
                <FieldGlyph type={candidate.type} />
              </span>
              {text(candidate.label)}
            </button>
          ))}
        </div>
        <span className="small muted">{t('formula.insertFunction')}</span>
        <div className="formula-editor__chips">
          {QUICK_FUNCTIONS.filter((name) => FORMULA_FUNCTIONS[name] !== undefined).map((name) => (
            <button
              key={name}
              type="button"
              className="chip formula-editor__chip mono"
              onClick={() => insert(`${name}()`)}
            >
              {name}
            </button>
          ))}
          {['+', '-', '*', '/', '==', '>'].map((op) => (
            <button
              key={op}
              type="button"
              className="chip formula-editor__chip mono"
              onClick={() => insert(` ${op} `)}
              aria-label={t('formula.insertOperator', { op })}
            >
              {op}
            </button>
          ))}
        </div>
      </div>
      <SelectField
        label={t('formula.resultType')}
        value={field.resultType ?? 'number'}
        onChange={(event) => onChange({ resultType: event.target.value as FormulaResultType })}
        options={[
          { value: 'number', label: t('formula.result.number') },
          { value: 'text', label: t('formula.result.text') },
          { value: 'boolean', label: t('formula.result.boolean') },
          { value: 'date', label: t('formula.result.date') },
        ]}
      />
      <details className="small">
        <summary>{t('formula.showJson')}</summary>
        <pre className="mono formula-editor__json">
          {JSON.stringify(field.formula ?? null, null, 2)}
        </pre>
      </details>
    </div>
  );
}
