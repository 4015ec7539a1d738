// `npm run trellis -- <command>`: the Trellis command line (template import, ...).
import { join } from 'node:path';
import {
  ROOT,
  build,
  checkNode,
  ensureInstalled,
  ensurePnpm,
  fail,
  run,
} from './lib/bootstrap.mjs';

checkNode();
const pnpm = ensurePnpm();
ensureInstalled(pnpm);
if (!build(pnpm, { designer: false })) fail('build failed');
process.exit(
  run(process.execPath, [
    '--enable-source-maps',
    join(ROOT, 'apps', 'api', 'dist', 'src', 'cli', 'trellis.js'),
    ...process.argv.slice(2),
  ]),
);
