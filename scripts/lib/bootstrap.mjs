// Bootstrap shared by `npm start` and `npm test`: Node built-ins only, because
// it runs on a fresh clone before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function log(message) {
  process.stdout.write(`[trellis] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`[trellis] ${message}\n`);
  process.exit(1);
}

/** Runs a command inheriting stdio; returns its exit status. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function capture(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function pinnedPnpm() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pkg.packageManager ?? '');
  if (!match) fail('package.json must pin pnpm in "packageManager" (pnpm@x.y.z)');
  return match[1];
}

/** The pinned pnpm: from PATH when it matches, else installed once into .trellis/tools. */
export function ensurePnpm() {
  const version = pinnedPnpm();
  if (capture('pnpm', ['--version']) === version) return 'pnpm';
  const toolsDir = join(ROOT, '.trellis', 'tools');
  const local = join(toolsDir, 'node_modules', '.bin', 'pnpm');
  if (existsSync(local) && capture(local, ['--version']) === version) return local;
  log(`installing pnpm ${version} into .trellis/tools`);
  mkdirSync(toolsDir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const status = run(npm, [
    'install',
    '--prefix',
    toolsDir,
    '--no-audit',
    '--no-fund',
    '--no-save',
    `pnpm@${version}`,
  ]);
  if (status !== 0 || !existsSync(local))
    fail(`could not install pnpm ${version} with npm (exit ${status})`);
  return local;
}

/** `pnpm install --frozen-lockfile` when the lockfile changed since the last install. */
export function ensureInstalled(pnpm) {
  const lock = readFileSync(join(ROOT, 'pnpm-lock.yaml'));
  const workspace = readFileSync(join(ROOT, 'pnpm-workspace.yaml'));
  const hash = createHash('sha256').update(lock).update(workspace).digest('hex');
  const stamp = join(ROOT, 'node_modules', '.trellis-install');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  log('installing dependencies (pnpm install --frozen-lockfile)');
  const status = run(pnpm, ['install', '--frozen-lockfile'], {
    env: { ...process.env, CI: 'true' },
  });
  if (status !== 0) fail(`pnpm install failed (exit ${status})`);
  writeFileSync(stamp, hash);
}

function newestMtime(dir, ignore = new Set(['node_modules', 'dist', '.tsbuild'])) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (ignore.has(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestMtime(path, ignore) : statSync(path).mtimeMs,
    );
  }
  return newest;
}

/** TypeScript project build (incremental), then the designer bundle when its sources changed. */
export function build(pnpm, { designer = true } = {}) {
  log('building (tsc -b)');
  if (run(pnpm, ['exec', 'tsc', '-b']) !== 0) return false;
  if (!designer) return true;
  const designerDir = join(ROOT, 'apps', 'designer');
  const builtIndex = join(designerDir, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(designerDir, 'src')),
    statSync(join(designerDir, 'index.html')).mtimeMs,
    statSync(join(designerDir, 'vite.config.ts')).mtimeMs,
    ...['rule-engine', 'form-engine', 'flow-engine', 'report-engine'].map((p) =>
      newestMtime(join(ROOT, 'packages', p, 'dist'), new Set()),
    ),
  );
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return true;
  log('building the designer (vite build)');
  return (
    run(pnpm, ['--filter', '@trellis/designer', 'exec', 'vite', 'build', '--logLevel', 'warn']) ===
    0
  );
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    fail(`Node.js >= 20.19 is required (this is ${process.versions.node})`);
}
