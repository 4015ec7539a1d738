import { build, checkNode, ensureInstalled, ensurePnpm, fail } from './lib/bootstrap.mjs';

checkNode();
const pnpm = ensurePnpm();
ensureInstalled(pnpm);
if (!build(pnpm)) fail('build failed');
