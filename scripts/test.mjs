// `npm test`: lint, typecheck and every test (package units, API integration on
// real PostgreSQL and Redis, browser tests in Chromium), ending with one line
// "N passed, N failed".
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run as runTests } from 'node:test';
import { spec } from 'node:test/reporters';
import { ROOT, build, checkNode, ensureInstalled, ensurePnpm, log, run } from './lib/bootstrap.mjs';
import { prepareServices } from './lib/test-services.mjs';

checkNode();
const CI = process.env.CI === 'true' || process.env.CI === '1';
const started = Date.now();
const totals = { passed: 0, failed: 0 };
const failures = [];

function check(name, ok) {
  if (ok) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

const pnpm = ensurePnpm();
ensureInstalled(pnpm);
check('build and typecheck (tsc -b, vite build)', build(pnpm));
log('lint (eslint, prettier --check)');
check('eslint', run(pnpm, ['exec', 'eslint', '.', '--max-warnings=0']) === 0);
check('prettier', run(pnpm, ['exec', 'prettier', '--check', '.', '--log-level', 'warn']) === 0);

const services = await prepareServices({ ci: CI, root: ROOT });

function findTests(dir, pattern) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...findTests(path, pattern));
    } else if (pattern.test(entry.name) && statSync(path).isFile()) out.push(path);
  }
  return out.sort();
}

const only = process.argv.slice(2);
const selected = (files) =>
  only.length === 0 ? files : files.filter((f) => only.some((o) => f.includes(o)));
const groups = [
  {
    name: 'unit',
    concurrency: 2,
    files: [
      ...readdirSync(join(ROOT, 'packages')).flatMap((p) =>
        findTests(join(ROOT, 'packages', p, 'dist'), /\.test\.js$/),
      ),
      ...findTests(join(ROOT, 'apps', 'api', 'dist', 'src'), /\.test\.js$/),
      ...findTests(join(ROOT, 'scripts', 'tests'), /\.test\.mjs$/),
    ],
  },
  {
    name: 'api integration',
    concurrency: 2,
    files: findTests(join(ROOT, 'apps', 'api', 'dist', 'test'), /\.test\.js$/),
  },
  {
    name: 'browser',
    concurrency: 1,
    files: findTests(join(ROOT, 'apps', 'designer', 'dist-e2e'), /\.test\.js$/),
  },
];

Object.assign(process.env, services.env, {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --enable-source-maps`.trim(),
});

for (const group of groups) {
  const files = selected(group.files);
  if (files.length === 0) continue;
  log(`${group.name} tests: ${files.length} file(s)`);
  await new Promise((resolveGroup) => {
    const stream = runTests({ files, concurrency: group.concurrency, timeout: 10 * 60_000 });
    stream.on('test:pass', (data) => {
      if (data.details?.type !== 'suite') totals.passed += 1;
    });
    stream.on('test:fail', (data) => {
      if (data.details?.type === 'suite') return;
      totals.failed += 1;
      failures.push(`${relative(ROOT, data.file ?? '')} › ${data.name}`);
    });
    const reporter =
      typeof spec === 'function' && spec.prototype?.constructor === spec ? new spec() : spec;
    stream.compose(reporter).pipe(process.stdout, { end: false });
    stream.on('end', resolveGroup);
    stream.on('close', resolveGroup);
  });
}

await services.cleanup();
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (failures.length > 0) {
  process.stdout.write(`\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
}
log(`finished in ${minutes} min`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
process.exitCode = totals.failed === 0 ? 0 : 1;
