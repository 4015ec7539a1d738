// How report values read: one formatter per measure format, locale-aware (Intl), shared by the
// result table, the pivot table, KPI cards and chart tooltips.
import type { CellValue, MeasureFn, MeasureFormat } from '@trellis/report-engine';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

/** Fraction digits that read well for an average or another computed number of this size. */
function sensibleDigits(value: number): number {
  const size = Math.abs(value);
  if (size >= 1000) return 0;
  if (size >= 10) return 1;
  return 2;
}

/** A date-only value (`YYYY-MM-DD`) or an instant, as local text; other text is returned as is. */
export function formatDateValue(value: string, locale: string, dateOnly: boolean): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day !== null) {
    // A calendar date has no time zone: format it as the same day everywhere.
    const at = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(at);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  return new Intl.DateTimeFormat(
    locale,
    dateOnly ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' },
  ).format(at);
}

/** A plain number with thousands separators and at most `digits` decimals (no float noise). */
export function formatPlainNumber(value: number, locale: string, digits = 2): string {
  return numberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

/**
 * A measure value as shown: ratios, shares and conversions as percentages with one decimal,
 * counts as integers, amounts with separators and at most two decimals, averages rounded.
 */
export function formatMeasure(
  value: CellValue | undefined,
  format: MeasureFormat,
  locale: string,
  fn?: MeasureFn,
): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (format === 'date' || format === 'datetime')
      return formatDateValue(value, locale, format === 'date');
    return value;
  }
  if (!Number.isFinite(value)) return '';
  switch (format) {
    case 'percent':
      return numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
    case 'integer':
      return numberFormat(locale, { maximumFractionDigits: 0 }).format(value);
    default:
      return formatPlainNumber(value, locale, fn === 'avg' ? sensibleDigits(value) : 2);
  }
}
