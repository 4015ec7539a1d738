// `npm run bench -- <name> [--write]`: runs bench/<name>/index.mjs, prints the
// side-by-side table, and with --write records it in docs/benchmarks.md.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table, writeDocs } from './lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const write = args.includes('--write');
const names = args.filter((a) => !a.startsWith('--'));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.mjs')))
  .map((d) => d.name);

if (names.length === 0) {
  console.log(
    `usage: npm run bench -- <name> [--write]\navailable: ${available.join(', ') || '(none yet)'}`,
  );
  process.exit(names.length === 0 && args.length === 0 ? 0 : 1);
}
let failed = false;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(1);
  }
  const { run } = await import(pathToFileURL(join(here, name, 'index.mjs')).href);
  console.log(`\n## ${name}\n`);
  const { rows, notes = [] } = await run({ root });
  const markdown = `${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${process.platform} ${process.arch}, Node ${process.versions.node}.`;
  console.log(markdown);
  if (rows.some((r) => r.ok !== 'ok')) failed = true;
  if (write) writeDocs(root, name, markdown);
}
process.exitCode = failed ? 1 : 0;
