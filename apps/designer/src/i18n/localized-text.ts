/** The two languages of the product; zh-CN is the default. */
export type Locale = 'zh-CN' | 'en';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Text written by builders (app, form and field labels): one string, or one string per locale. */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** The text for a locale: the exact locale, then zh-CN, then any non-empty translation. */
export function localize(text: LocalizedText | null | undefined, locale: Locale): string {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  const exact = text[locale];
  if (typeof exact === 'string' && exact.trim() !== '') return exact;
  const zh = text['zh-CN'];
  if (typeof zh === 'string' && zh.trim() !== '') return zh;
  for (const value of Object.values(text))
    if (typeof value === 'string' && value !== '') return value;
  return '';
}

/** The translation stored for exactly this locale (empty when none), for editing. */
export function translationOf(text: LocalizedText | null | undefined, locale: Locale): string {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return locale === 'zh-CN' ? text : '';
  return text[locale] ?? '';
}

/** Sets one locale's translation; an empty English translation is dropped. */
export function withTranslation(
  text: LocalizedText | null | undefined,
  locale: Locale,
  value: string,
): LocalizedText {
  const current =
    text === null || text === undefined
      ? { 'zh-CN': '' }
      : typeof text === 'string'
        ? { 'zh-CN': text }
        : { ...text };
  const next: { 'zh-CN': string; en?: string; [locale: string]: string | undefined } = {
    ...current,
    [locale]: value,
  };
  if (next.en !== undefined && next.en.trim() === '') delete next.en;
  if (Object.keys(next).length === 1) return next['zh-CN'];
  return next;
}
