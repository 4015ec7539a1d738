// Writes docs/app-bundle.schema.json from the built package (run after `tsc -b packages/app-bundle`):
//   node packages/app-bundle/scripts/write-json-schema.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleJsonSchema } from '../dist/index.js';

const target = fileURLToPath(new URL('../../../docs/app-bundle.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(bundleJsonSchema, null, 2)}\n`);
console.log(`wrote ${target}`);
