// `npm run trellis -- <command>`: the Trellis command line (template import, ...).
//   npm run trellis -- template import <folder or file> [--workspace <id>] [--with-sample-data]
// Installs and builds first when needed; TRELLIS_NO_BUILD=1 runs the built CLI as it is (tests).
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
if (process.env.TRELLIS_NO_BUILD !== '1') {
  const pnpm = ensurePnpm();
  ensureInstalled(pnpm);
  if (!build(pnpm, { designer: false })) fail('build failed');
}
process.exit(
  run(process.execPath, [
    '--enable-source-maps',
    join(ROOT, 'apps', 'api', 'dist', 'src', 'cli', 'trellis.js'),
    ...process.argv.slice(2),
  ]),
);
