// Date bucket keys (`2026-03-09`, `2026-03`, `2026-Q1`, `2026`) and the local-date ranges they cover.
import { addDays, addMonths, dateKey, parseDate, weekdayOf } from './time-zone.js';
import type { DateBucket, LocalizedText } from './types.js';

/** The first local date of the bucket holding `date`. */
export function bucketStart(date: string, bucket: DateBucket): string {
  switch (bucket) {
    case 'day':
      return date;
    case 'week':
      return addDays(date, 1 - weekdayOf(date));
    case 'month':
      return `${date.slice(0, 8)}01`;
    case 'quarter': {
      const month = Number(date.slice(5, 7));
      return dateKey(Number(date.slice(0, 4)), Math.floor((month - 1) / 3) * 3 + 1, 1);
    }
    case 'year':
      return `${date.slice(0, 4)}-01-01`;
    default:
      return date;
  }
}

/** The first local date of the next bucket. */
export function nextBucketStart(start: string, bucket: DateBucket): string {
  switch (bucket) {
    case 'day':
      return addDays(start, 1);
    case 'week':
      return addDays(start, 7);
    case 'month':
      return addMonths(start, 1);
    case 'quarter':
      return addMonths(start, 3);
    case 'year':
      return addMonths(start, 12);
    default:
      return addDays(start, 1);
  }
}

/** The key of the bucket starting at `start` (what the SQL's to_char gives). */
export function bucketKey(start: string, bucket: DateBucket): string {
  switch (bucket) {
    case 'day':
    case 'week':
      return start;
    case 'month':
      return start.slice(0, 7);
    case 'quarter':
      return `${start.slice(0, 4)}-Q${Math.floor((Number(start.slice(5, 7)) - 1) / 3) + 1}`;
    case 'year':
      return start.slice(0, 4);
    default:
      return start;
  }
}

/** The first local date of a bucket key, or null when the key is not one of this bucket. */
export function keyStart(key: string, bucket: DateBucket): string | null {
  switch (bucket) {
    case 'day':
    case 'week':
      return parseDate(key) === null ? null : key;
    case 'month':
      return /^\d{4}-\d{2}$/.test(key) && parseDate(`${key}-01`) !== null ? `${key}-01` : null;
    case 'quarter': {
      const m = /^(\d{4})-Q([1-4])$/.exec(key);
      return m === null ? null : dateKey(Number(m[1]), (Number(m[2]) - 1) * 3 + 1, 1);
    }
    case 'year':
      return /^\d{4}$/.test(key) ? `${key}-01-01` : null;
    default:
      return null;
  }
}

export function bucketLabelOf(key: string, bucket: DateBucket): LocalizedText {
  const p = parseDate(keyStart(key, bucket) ?? '');
  if (p === null) return key;
  switch (bucket) {
    case 'day':
      return { 'zh-CN': `${p.year}年${p.month}月${p.day}日`, en: key };
    case 'week':
      return { 'zh-CN': `${p.year}年${p.month}月${p.day}日当周`, en: `Week of ${key}` };
    case 'month':
      return { 'zh-CN': `${p.year}年${p.month}月`, en: key };
    case 'quarter':
      return { 'zh-CN': `${p.year}年第${Math.floor((p.month - 1) / 3) + 1}季度`, en: key };
    case 'year':
      return { 'zh-CN': `${p.year}年`, en: key };
    default:
      return key;
  }
}

/** Every bucket key from the bucket of `first` to the bucket of `last` (local dates), capped. */
export function bucketKeys(first: string, last: string, bucket: DateBucket, cap = 5000): string[] {
  const out: string[] = [];
  let start = bucketStart(first, bucket);
  while (start <= last && out.length < cap) {
    out.push(bucketKey(start, bucket));
    start = nextBucketStart(start, bucket);
  }
  return out;
}
