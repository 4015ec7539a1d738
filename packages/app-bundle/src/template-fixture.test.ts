// Shared by the tests (no tests of its own): the customer follow-up template folder as files, and
// the assembled bundle. Tests may read files; src/ code may not.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleBundle } from './assemble-bundle.js';
import type { Bundle } from './types.js';

/** The repository root (this file runs from packages/app-bundle/dist/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TEMPLATE_DIR = join(REPO_ROOT, 'templates', 'customer-follow-up');

/** Every JSON file of a folder, by POSIX path relative to it. */
export function readJsonFolder(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) {
        files[relative(dir, path).split('\\').join('/')] = JSON.parse(readFileSync(path, 'utf8'));
      }
    }
  };
  walk(dir);
  return files;
}

let cached: Bundle | undefined;

/** A fresh deep copy of the assembled template bundle. */
export function templateBundle(): Bundle {
  if (cached === undefined) {
    const assembled = assembleBundle(readJsonFolder(TEMPLATE_DIR));
    if (Array.isArray(assembled)) throw new Error(JSON.stringify(assembled));
    cached = assembled.bundle as unknown as Bundle;
  }
  return structuredClone(cached);
}

/** Index of the item with `key` = `value` in a list (throws when absent: fixtures must exist). */
export function indexOf(list: ReadonlyArray<unknown>, value: string, key = 'id'): number {
  const i = list.findIndex((x) => (x as Record<string, unknown>)[key] === value);
  if (i < 0) throw new Error(`no item with ${key} = ${value}`);
  return i;
}
