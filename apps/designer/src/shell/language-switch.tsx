import { useI18n } from '../i18n/i18n-context.js';
import type { Locale } from '../i18n/localized-text.js';
import { LOCALES } from '../i18n/localized-text.js';

const NAMES: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

/** zh-CN / English, each name written in its own language. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <div className="segmented" role="group" aria-label={t('shell.language')}>
      {LOCALES.map((option) => (
        <button
          key={option}
          type="button"
          lang={option}
          aria-pressed={option === locale}
          onClick={() => setLocale(option)}
          data-testid={`locale-${option}`}
        >
          {compact ? (option === 'en' ? 'EN' : '中') : NAMES[option]}
        </button>
      ))}
    </div>
  );
}
