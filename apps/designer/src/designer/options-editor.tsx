import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { FieldOption } from '../forms/form-schema.js';
import { translationOf, withTranslation } from '../i18n/localized-text.js';
import { Button } from '../ui/button.js';
import { nextOptionValue, OPTION_COLORS } from './field-factory.js';

/** The choices of a select, multi-select or radio field: stored value, labels, colour, order. */
export function OptionsEditor({
  options,
  onChange,
  lockedValues,
}: {
  options: readonly FieldOption[];
  onChange(options: FieldOption[]): void;
  lockedValues: ReadonlySet<string>;
}) {
  const { t } = useI18n();
  const set = (index: number, patch: Partial<FieldOption>) =>
    onChange(options.map((option, i) => (i === index ? { ...option, ...patch } : option)));
  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    if (target < 0 || target >= options.length) return;
    const next = [...options];
    const [moved] = next.splice(index, 1);
    if (moved !== undefined) next.splice(target, 0, moved);
    onChange(next);
  };
  return (
    <div className="options-editor">
      <ol className="list-plain options-editor__list">
        {options.map((option, index) => (
          <li key={index} className="options-editor__row" data-testid="option-row">
            <div className="options-editor__labels">
              <input
                className="input"
                aria-label={t('designer.optionLabelZh', { n: index + 1 })}
                value={translationOf(option.label, 'zh-CN')}
                onChange={(event) =>
                  set(index, { label: withTranslation(option.label, 'zh-CN', event.target.value) })
                }
                lang="zh-CN"
              />
              <input
                className="input"
                aria-label={t('designer.optionLabelEn', { n: index + 1 })}
                placeholder="English"
                value={translationOf(option.label, 'en')}
                onChange={(event) =>
                  set(index, { label: withTranslation(option.label, 'en', event.target.value) })
                }
                lang="en"
              />
              <input
                className="input mono"
                aria-label={t('designer.optionValue', { n: index + 1 })}
                value={option.value}
                disabled={lockedValues.has(option.value)}
                title={
                  lockedValues.has(option.value)
                    ? t('designer.optionValueLocked')
                    : t('designer.optionValueHint')
                }
                onChange={(event) => set(index, { value: event.target.value.trim() })}
              />
            </div>
            <div
              className="options-editor__colors"
              role="radiogroup"
              aria-label={t('designer.optionColor', { n: index + 1 })}
            >
              {OPTION_COLORS.map((color) => (
                <label key={color} className="swatch" style={{ background: color }}>
                  <input
                    type="radio"
                    className="visually-hidden"
                    name={`option-color-${index}`}
                    checked={option.color === color}
                    onChange={() => set(index, { color })}
                    aria-label={color}
                  />
                </label>
              ))}
            </div>
            <div className="options-editor__tools">
              <Button
                size="small"
                variant="ghost"
                icon="up"
                iconLabel={t('designer.optionUp', { n: index + 1 })}
                disabled={index === 0}
                onClick={() => move(index, -1)}
              />
              <Button
                size="small"
                variant="ghost"
                icon="down"
                iconLabel={t('designer.optionDown', { n: index + 1 })}
                disabled={index === options.length - 1}
                onClick={() => move(index, 1)}
              />
              <Button
                size="small"
                variant="ghost"
                icon="trash"
                iconLabel={t('designer.optionRemove', { n: index + 1 })}
                onClick={() => onChange(options.filter((_, i) => i !== index))}
              />
            </div>
          </li>
        ))}
      </ol>
      <Button
        size="small"
        icon="plus"
        onClick={() => {
          const value = nextOptionValue(options);
          const n = options.length + 1;
          onChange([
            ...options,
            {
              value,
              label: bilingual('designer.optionN', { n }),
              color: OPTION_COLORS[options.length % OPTION_COLORS.length],
            },
          ]);
        }}
      >
        {t('designer.addOption')}
      </Button>
    </div>
  );
}
