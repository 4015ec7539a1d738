// `npm start`: install what is missing, build, migrate and serve the API and the designer.
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
if (!build(pnpm)) fail('build failed');
const env = {
  ...process.env,
  DESIGNER_DIST: process.env.DESIGNER_DIST ?? join(ROOT, 'apps', 'designer', 'dist'),
};
process.exit(
  run(
    process.execPath,
    ['--enable-source-maps', join(ROOT, 'apps', 'api', 'dist', 'src', 'main.js')],
    { env },
  ),
);
