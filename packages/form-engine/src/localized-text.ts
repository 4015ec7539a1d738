import type { Locale, LocalizedText } from './types.js';

const DEFAULT_LOCALE: Locale = 'zh-CN';

/** `en`, `en-US` → `en`; anything else → zh-CN. */
export function messageLocale(
  locale: string | undefined,
  fallback: Locale = DEFAULT_LOCALE,
): Locale {
  if (locale === undefined) return fallback;
  if (locale === 'en' || locale.startsWith('en-')) return 'en';
  if (locale === 'zh-CN' || locale.startsWith('zh')) return 'zh-CN';
  return fallback;
}

/** The text for a locale: the exact locale, then its language, then zh-CN. */
export function textFor(text: LocalizedText | undefined, locale: string): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  const exact = text[locale];
  if (typeof exact === 'string' && exact !== '') return exact;
  const language = locale.split('-')[0] ?? locale;
  const byLanguage = text[language];
  if (typeof byLanguage === 'string' && byLanguage !== '') return byLanguage;
  return text['zh-CN'];
}

/** A valid LocalizedText: a non-empty string, or an object of strings with a non-empty zh-CN. */
export function isLocalizedText(value: unknown): value is LocalizedText {
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const zh = record['zh-CN'];
  if (typeof zh !== 'string' || zh.trim() === '') return false;
  return Object.values(record).every((v) => v === undefined || typeof v === 'string');
}
