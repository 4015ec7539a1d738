import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { EN_MESSAGES } from './messages-en.js';
import { ZH_CN_MESSAGES, type MessageKey } from './messages-zh-cn.js';
import {
  DEFAULT_LOCALE,
  isLocale,
  localize,
  type Locale,
  type LocalizedText,
} from './localized-text.js';

export type MessageParams = Readonly<Record<string, string | number>>;

export type I18n = {
  readonly locale: Locale;
  setLocale(locale: Locale): void;
  /** A product string in the current locale, with `{name}` placeholders filled in. */
  t(key: MessageKey, params?: MessageParams): string;
  /** A builder-written label in the current locale. */
  text(value: LocalizedText | null | undefined): string;
  formatDateTime(iso: string | null | undefined): string;
  formatDate(iso: string | null | undefined): string;
  /** Compact date and time for list cells (numeric, no weekday). */
  formatShortDateTime(iso: string | null | undefined): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
};

const CATALOGS: Record<Locale, Record<MessageKey, string>> = {
  'zh-CN': ZH_CN_MESSAGES,
  en: EN_MESSAGES,
};

const STORAGE_KEY = 'trellis.locale';

function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be unavailable (private mode); the default locale applies.
  }
  return DEFAULT_LOCALE;
}

/**
 * Fills `{name}` placeholders. A template with `||` has a singular and a plural form
 * (`{count} record||{count} records`), chosen by the `count` parameter.
 */
export function formatMessage(template: string, params?: MessageParams): string {
  if (params === undefined) return template.split('||')[0] ?? template;
  if (template.includes('||')) {
    const [one = '', other = one] = template.split('||');
    template = params['count'] === 1 ? one : other;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = CATALOGS[locale]['app.name'];
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisted; the choice still applies to this tab.
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[locale];
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    const short = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    const format = (formatter: Intl.DateTimeFormat, iso: string | null | undefined) => {
      if (iso === null || iso === undefined || iso === '') return '';
      const parsed = new Date(iso);
      return Number.isNaN(parsed.getTime()) ? iso : formatter.format(parsed);
    };
    return {
      locale,
      setLocale,
      t: (key, params) => formatMessage(catalog[key], params),
      text: (text) => localize(text, locale),
      formatDateTime: (iso) => format(dateTime, iso),
      formatDate: (iso) => format(date, iso),
      formatShortDateTime: (iso) => format(short, iso),
      formatNumber: (n, options) => new Intl.NumberFormat(locale, options).format(n),
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n must be used inside <I18nProvider>');
  return value;
}
