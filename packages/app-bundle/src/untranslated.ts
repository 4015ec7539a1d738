// Which texts of a bundle lack a locale: every LocalizedText (an object with "zh-CN") without it,
// plain-string texts, and translation keys present in zh-CN but not in the locale.
import { isObject, join, type Obj } from './form-index.js';

/** Keys whose string values are texts shown to people (labels, names, messages …). */
const TEXT_KEYS = new Set([
  'name',
  'label',
  'title',
  'description',
  'help',
  'placeholder',
  'message',
  'guardMessage',
  'reason',
  'body',
]);

/** Paths of texts with no `locale` version (sample-data inputs are not texts). */
export function findUntranslated(bundle: unknown, locale: string): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string, key: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, join(path, i), key));
      return;
    }
    if (typeof value === 'string') {
      if (TEXT_KEYS.has(key) && path.split('.').every((s) => s !== 'sampleData')) out.push(path);
      return;
    }
    if (!isObject(value)) return;
    if (typeof value['zh-CN'] === 'string') {
      const text = value[locale];
      if (typeof text !== 'string' || text === '') out.push(path);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (path === '' && (k === 'sampleData' || k === 'translations')) continue;
      // JsonLogic and stored values are not texts
      if (
        [
          'condition',
          'guard',
          'when',
          'formula',
          'visible',
          'required',
          'readOnly',
          'default',
          'rule',
          'logic',
          'values',
          'value',
          'payload',
          'spec',
        ].includes(k)
      ) {
        if (k !== 'spec') continue;
      }
      walk(v, join(path, k), k);
    }
  };
  walk(bundle, '', '');
  const translations =
    isObject(bundle) && isObject(bundle['translations']) ? (bundle['translations'] as Obj) : {};
  const zh = isObject(translations['zh-CN']) ? translations['zh-CN'] : {};
  const target = isObject(translations[locale]) ? translations[locale] : {};
  for (const key of Object.keys(zh)) {
    if (typeof target[key] !== 'string') out.push(`translations.${locale}.${key}`);
  }
  return out;
}
