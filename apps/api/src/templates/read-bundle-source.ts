// A bundle on disk: a template folder (manifest.json and its files, assembled) or one .json file.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { assembleBundle, type BundleSource, type Issue, sourceOf } from '@trellis/app-bundle';

export type BundleOnDisk =
  { ok: true; bundle: unknown; sources: BundleSource[] } | { ok: false; issues: Issue[] };

async function jsonFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonFiles(root, path)));
    else if (entry.name.endsWith('.json')) out.push(path);
  }
  return out;
}

/** Reads a bundle folder or file; unreadable JSON is reported with the file it is in. */
export async function readBundleSource(path: string): Promise<BundleOnDisk> {
  const issues: Issue[] = [];
  const parse = (text: string, file: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      issues.push({ path: file, code: 'invalid_json', message: (error as Error).message });
      return undefined;
    }
  };
  if (!(await stat(path)).isDirectory()) {
    const bundle = parse(await readFile(path, 'utf8'), path);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, bundle, sources: [] };
  }
  const files: Record<string, unknown> = {};
  for (const file of await jsonFiles(path)) {
    const name = relative(path, file).split(sep).join('/');
    files[name] = parse(await readFile(file, 'utf8'), name);
  }
  if (issues.length > 0) return { ok: false, issues };
  const assembled = assembleBundle(files);
  if (Array.isArray(assembled)) return { ok: false, issues: assembled };
  return { ok: true, bundle: assembled.bundle, sources: assembled.sources };
}

/** "forms.3.fields.2 (forms/opportunity.json)": a bundle path with the file it came from. */
export function describePath(path: string, sources: readonly BundleSource[]): string {
  const file = sourceOf(path, sources);
  return file === undefined ? path : `${path} (${file})`;
}
