// A bundle kept as a folder of readable files (manifest.json, bundle.json, forms/*.json …) and
// assembled into one bundle, and back. Pure: the caller reads and writes the files.
import type { Issue } from '@trellis/rule-engine';
import { isObject, type Obj } from './form-index.js';

export const MANIFEST_FILE = 'manifest.json';

/** Parts whose files hold one item (an object) or several (an array), concatenated in order. */
const LIST_PARTS = ['forms', 'flows', 'rules', 'reports', 'dashboards', 'roles', 'teams'] as const;

/** Where a part of the assembled bundle came from: `forms.3` from `forms/opportunity.json`. */
export type BundleSource = { path: string; file: string };

export type AssembledBundle = { bundle: Obj; sources: BundleSource[] };

function fileList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/**
 * Assembles a bundle folder. `files` maps paths relative to the folder (POSIX separators) to their
 * parsed JSON. `manifest.json` names every file: `bundle` (the header: schemaVersion, key,
 * version, name …), one file or a list per part (`forms`, `flows`, `rules`, `reports`,
 * `dashboards`, `roles`, `teams`; a file holds one item or an array), `translations` (objects
 * merged by locale) and `sampleData` (`settings` plus `inputs` files merged by top-level key).
 * Returns the raw bundle (to migrate and validate) with the source of each part, or every
 * problem with the folder: a missing or unlisted file, a part given twice, a key merged twice.
 */
export function assembleBundle(
  files: Readonly<Record<string, unknown>>,
): AssembledBundle | Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  const manifest = files[MANIFEST_FILE];
  if (!isObject(manifest)) {
    return [
      {
        path: 'manifest',
        code: 'missing_file',
        message: `${MANIFEST_FILE} is missing or not an object`,
      },
    ];
  }
  if (manifest['manifestVersion'] !== 1) {
    add('manifest.manifestVersion', 'invalid_value', 'manifestVersion must be 1');
  }
  const used = new Set<string>([MANIFEST_FILE]);
  const read = (file: string, path: string): unknown => {
    used.add(file);
    if (!(file in files)) {
      add(path, 'missing_file', `${file} is listed in the manifest but was not given`);
      return undefined;
    }
    return files[file];
  };
  const sources: BundleSource[] = [];
  const known = new Set<string>([
    'manifestVersion',
    'bundle',
    'translations',
    'sampleData',
    ...LIST_PARTS,
  ]);
  for (const key of Object.keys(manifest)) {
    if (!known.has(key))
      add(`manifest.${key}`, 'unknown_property', `unknown manifest entry "${key}"`);
  }

  let bundle: Obj = {};
  if (typeof manifest['bundle'] !== 'string') {
    add('manifest.bundle', 'required', 'bundle names the header file (bundle.json)');
  } else {
    const header = read(manifest['bundle'], 'manifest.bundle');
    if (header !== undefined && !isObject(header)) {
      add('manifest.bundle', 'invalid_type', `${manifest['bundle']} must hold an object`);
    } else if (isObject(header)) {
      bundle = { ...header };
      sources.push({ path: '', file: manifest['bundle'] });
    }
  }

  for (const part of LIST_PARTS) {
    if (manifest[part] === undefined) continue;
    const list = fileList(manifest[part]);
    if (list === undefined) {
      add(`manifest.${part}`, 'invalid_type', `${part} is a file path or a list of file paths`);
      continue;
    }
    if (bundle[part] !== undefined) {
      add(
        `manifest.${part}`,
        'duplicate_part',
        `${part} is given both in the header and in the manifest`,
      );
      continue;
    }
    const items: unknown[] = [];
    list.forEach((file, i) => {
      const content = read(
        file,
        typeof manifest[part] === 'string' ? `manifest.${part}` : `manifest.${part}.${i}`,
      );
      if (content === undefined) return;
      const chunk = Array.isArray(content) ? content : [content];
      for (const item of chunk) {
        sources.push({ path: `${part}.${items.length}`, file });
        items.push(item);
      }
    });
    bundle[part] = items;
  }

  if (manifest['translations'] !== undefined) {
    const list = fileList(manifest['translations']);
    if (list === undefined)
      add(
        'manifest.translations',
        'invalid_type',
        'translations is a file path or a list of file paths',
      );
    else {
      const merged: Record<string, Obj> = isObject(bundle['translations'])
        ? { ...(bundle['translations'] as Record<string, Obj>) }
        : {};
      list.forEach((file, i) => {
        const at =
          typeof manifest['translations'] === 'string'
            ? 'manifest.translations'
            : `manifest.translations.${i}`;
        const content = read(file, at);
        if (content === undefined) return;
        if (!isObject(content)) {
          add(at, 'invalid_type', `${file} must hold { locale: { key: text } }`);
          return;
        }
        for (const [locale, strings] of Object.entries(content)) {
          if (!isObject(strings)) {
            add(at, 'invalid_type', `${file}: ${locale} must hold { key: text }`);
            continue;
          }
          const target = (merged[locale] ??= {});
          for (const [key, text] of Object.entries(strings)) {
            if (key in target)
              add(at, 'duplicate_key', `${file}: ${locale}.${key} is defined twice`);
            target[key] = text;
          }
        }
        sources.push({ path: 'translations', file });
      });
      bundle['translations'] = merged;
    }
  }

  const sample = manifest['sampleData'];
  if (sample !== undefined) {
    if (!isObject(sample) || typeof sample['settings'] !== 'string') {
      add(
        'manifest.sampleData',
        'invalid_type',
        'sampleData is { settings: file, inputs?: [files] }',
      );
    } else {
      const settings = read(sample['settings'], 'manifest.sampleData.settings');
      if (settings !== undefined && !isObject(settings)) {
        add(
          'manifest.sampleData.settings',
          'invalid_type',
          `${sample['settings']} must hold an object`,
        );
      } else if (isObject(settings)) {
        const data: Obj = { ...settings };
        sources.push({ path: 'sampleData', file: sample['settings'] });
        const inputs = sample['inputs'] === undefined ? [] : fileList(sample['inputs']);
        if (inputs === undefined)
          add('manifest.sampleData.inputs', 'invalid_type', 'inputs is a list of file paths');
        else if (inputs.length > 0) {
          const merged: Obj = isObject(data['inputs']) ? { ...data['inputs'] } : {};
          inputs.forEach((file, i) => {
            const at = `manifest.sampleData.inputs.${i}`;
            const content = read(file, at);
            if (content === undefined) return;
            if (!isObject(content)) {
              add(at, 'invalid_type', `${file} must hold an object`);
              return;
            }
            for (const [key, value] of Object.entries(content)) {
              if (key in merged)
                add(at, 'duplicate_key', `${file}: input "${key}" is already given`);
              merged[key] = value;
              sources.push({ path: `sampleData.inputs.${key}`, file });
            }
          });
          data['inputs'] = merged;
        }
        bundle['sampleData'] = data;
      }
    }
  }

  for (const file of Object.keys(files).sort()) {
    if (file.endsWith('.json') && !used.has(file)) {
      add('manifest', 'unlisted_file', `${file} is in the folder but not in the manifest`);
    }
  }
  return issues.length > 0 ? issues : { bundle, sources };
}

/** The file an issue path of an assembled bundle points into (the most specific source). */
export function sourceOf(path: string, sources: readonly BundleSource[]): string | undefined {
  let best: BundleSource | undefined;
  for (const s of sources) {
    const matches = s.path === '' || path === s.path || path.startsWith(`${s.path}.`);
    if (matches && (best === undefined || s.path.length > best.path.length)) best = s;
  }
  return best?.file;
}

const fileName = (id: unknown, fallback: string): string =>
  typeof id === 'string' && /^[a-z0-9_-]+$/.test(id) ? id.replace(/_/g, '-') : fallback;

/**
 * The reverse of assembleBundle: a bundle as a folder of files (paths → JSON), one form, flow
 * and dashboard per file, rules grouped by form. `assembleBundle(splitBundle(b))` gives `b` back.
 */
export function splitBundle(bundle: Readonly<Obj>): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const manifest: Obj = { manifestVersion: 1, bundle: 'bundle.json' };
  const header: Obj = {};
  for (const [key, value] of Object.entries(bundle)) {
    if (
      !(LIST_PARTS as readonly string[]).includes(key) &&
      key !== 'translations' &&
      key !== 'sampleData'
    ) {
      header[key] = value;
    }
  }
  files['bundle.json'] = header;
  const one = (part: string, idKey: string): void => {
    const list = bundle[part];
    if (!Array.isArray(list)) return;
    const paths: string[] = [];
    list.forEach((item, i) => {
      let path = `${part}/${fileName(isObject(item) ? item[idKey] : undefined, `${part}-${i + 1}`)}.json`;
      if (path in files) path = `${part}/${part}-${i + 1}.json`;
      files[path] = item;
      paths.push(path);
    });
    manifest[part] = paths;
  };
  one('forms', 'id');
  one('flows', 'formId');
  const rules = bundle['rules'];
  if (Array.isArray(rules)) {
    const groups = new Map<string, unknown[]>();
    for (const rule of rules) {
      const path = `rules/${fileName(isObject(rule) ? rule['form'] : undefined, 'rules')}.json`;
      groups.set(path, [...(groups.get(path) ?? []), rule]);
    }
    // Order within the bundle is the rules' order: keep consecutive groups, else one file.
    const flat = [...groups.values()].flat();
    const sameOrder = flat.every((r, i) => r === rules[i]);
    if (sameOrder) {
      for (const [path, group] of groups) files[path] = group;
      manifest['rules'] = [...groups.keys()];
    } else {
      files['rules/rules.json'] = rules;
      manifest['rules'] = ['rules/rules.json'];
    }
  }
  if (Array.isArray(bundle['reports'])) {
    files['reports/reports.json'] = bundle['reports'];
    manifest['reports'] = ['reports/reports.json'];
  }
  one('dashboards', 'id');
  for (const part of ['roles', 'teams'] as const) {
    if (Array.isArray(bundle[part])) {
      files[`${part}.json`] = bundle[part];
      manifest[part] = `${part}.json`;
    }
  }
  if (bundle['translations'] !== undefined) {
    files['translations.json'] = bundle['translations'];
    manifest['translations'] = 'translations.json';
  }
  const sample = bundle['sampleData'];
  if (isObject(sample)) {
    const { inputs, ...settings } = sample;
    files['sample-data/settings.json'] = settings;
    const entry: Obj = { settings: 'sample-data/settings.json' };
    if (isObject(inputs)) {
      files['sample-data/inputs.json'] = inputs;
      entry['inputs'] = ['sample-data/inputs.json'];
    }
    manifest['sampleData'] = entry;
  }
  files[MANIFEST_FILE] = manifest;
  return files;
}
