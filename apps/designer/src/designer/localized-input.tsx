import type { LocalizedText } from '../i18n/localized-text.js';
import { translationOf, withTranslation } from '../i18n/localized-text.js';
import { useI18n } from '../i18n/i18n-context.js';
import { TextField } from '../ui/form-field.js';

/** One input per language for a builder-written label (zh-CN required, English optional). */
export function LocalizedInput({
  label,
  value,
  onChange,
  required,
  error,
  testId,
}: {
  label: string;
  value: LocalizedText | undefined;
  onChange(value: LocalizedText | undefined): void;
  required?: boolean;
  error?: string | readonly string[];
  testId?: string;
}) {
  const { t } = useI18n();
  const set = (locale: 'zh-CN' | 'en', text: string) => {
    const next = withTranslation(value, locale, text);
    onChange(next === '' && required !== true ? undefined : next);
  };
  return (
    <div className="localized-input">
      <TextField
        label={`${label} · ${t('designer.chinese')}`}
        required={required}
        value={translationOf(value, 'zh-CN')}
        onChange={(event) => set('zh-CN', event.target.value)}
        error={error}
        testId={testId === undefined ? undefined : `${testId}-zh`}
        lang="zh-CN"
      />
      <TextField
        label={`${label} · English`}
        value={translationOf(value, 'en')}
        onChange={(event) => set('en', event.target.value)}
        testId={testId === undefined ? undefined : `${testId}-en`}
        lang="en"
      />
    </div>
  );
}
