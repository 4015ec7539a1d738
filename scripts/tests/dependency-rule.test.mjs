// The dependency rule (docs/architecture.md) must fail the build when broken.
// Three locks: ESLint's restricted imports, package.json dependencies, and TS
// project references. Each is proven here to reject a violation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../lib/bootstrap.mjs';

const ENGINES = ['rule-engine', 'form-engine', 'flow-engine', 'report-engine'];
const ALLOWED_INTERNAL = {
  'rule-engine': [],
  'form-engine': ['@trellis/rule-engine'],
  'flow-engine': ['@trellis/rule-engine'],
  'report-engine': ['@trellis/rule-engine'],
  'app-bundle': [
    '@trellis/rule-engine',
    '@trellis/form-engine',
    '@trellis/flow-engine',
    '@trellis/report-engine',
  ],
};
const FORBIDDEN_IN_PACKAGES =
  /^(@nestjs\/|typeorm|pg$|pg-|bullmq|ioredis|react|echarts|express|fastify)/;

const eslint = new ESLint({ cwd: ROOT });
async function lint(file, code) {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('dependency rule: ESLint refuses forbidden imports under packages/', () => {
  const cases = [
    [
      'packages/form-engine/src/leak.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
      /no NestJS/,
    ],
    [
      'packages/report-engine/src/leak.ts',
      "import pg from 'pg';\nexport const x = pg;\n",
      /no database driver/,
    ],
    [
      'packages/rule-engine/src/leak.ts',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      /no I\/O/,
    ],
    [
      'packages/flow-engine/src/leak.ts',
      "import * as echarts from 'echarts';\nexport const x = echarts;\n",
      /no echarts/,
    ],
    [
      'packages/form-engine/src/leak.ts',
      "import { useState } from 'react';\nexport const x = useState;\n",
      /no React/,
    ],
    [
      'packages/form-engine/src/leak.ts',
      "import { transition } from '@trellis/flow-engine';\nexport const x = transition;\n",
      /do not import each other/,
    ],
    [
      'packages/report-engine/src/leak.ts',
      "import { compileForm } from '@trellis/form-engine';\nexport const x = compileForm;\n",
      /do not import each other/,
    ],
    [
      'packages/rule-engine/src/leak.ts',
      'export const tz = process.env.TZ;\n',
      /do not read the environment|do not touch the process/,
    ],
    [
      'packages/app-bundle/src/leak.ts',
      "import { x } from '@trellis/api';\nexport const y = x;\n",
      /never import apps/,
    ],
    [
      'apps/designer/src/leak.ts',
      "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n",
      /over HTTP only/,
    ],
  ];
  for (const [file, code, expected] of cases) {
    it(`${file}: ${code.split('\n')[0]}`, async () => {
      const errors = await lint(file, code);
      assert.ok(
        errors.some((e) => expected.test(e)),
        `expected a lint error matching ${expected}, got ${JSON.stringify(errors)}`,
      );
    });
  }

  it('allows an engine to use the rule engine', async () => {
    const errors = await lint(
      'packages/form-engine/src/ok.ts',
      "import { evaluate } from '@trellis/rule-engine';\nexport const x = evaluate;\n",
    );
    assert.deepEqual(errors, []);
  });
});

describe('dependency rule: package manifests and project references', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED_INTERNAL)) {
    it(`packages/${pkg} depends only on what the table allows`, () => {
      const manifest = JSON.parse(
        readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8'),
      );
      const deps = Object.keys(manifest.dependencies ?? {});
      const internal = deps.filter((d) => d.startsWith('@trellis/'));
      assert.deepEqual(
        internal.filter((d) => !allowed.includes(d)),
        [],
        'internal dependency outside the table',
      );
      assert.deepEqual(
        deps.filter((d) => FORBIDDEN_IN_PACKAGES.test(d)),
        [],
        'framework or I/O dependency in a package',
      );
      const tsconfig = JSON.parse(
        readFileSync(join(ROOT, 'packages', pkg, 'tsconfig.json'), 'utf8'),
      );
      const refs = (tsconfig.references ?? [])
        .map((r) => `@trellis/${r.path.replace('../', '')}`)
        .sort();
      assert.deepEqual(
        refs,
        [...internal].sort(),
        'tsconfig references must mirror package.json dependencies',
      );
    });
  }

  it('engines stay independent of each other', () => {
    for (const engine of ENGINES) {
      const manifest = JSON.parse(
        readFileSync(join(ROOT, 'packages', engine, 'package.json'), 'utf8'),
      );
      const peers = Object.keys(manifest.dependencies ?? {}).filter((d) =>
        ENGINES.some((e) => d === `@trellis/${e}` && e !== 'rule-engine'),
      );
      assert.deepEqual(peers, [], `${engine} depends on another engine`);
    }
  });
});

describe('dependency rule: the TypeScript build refuses undeclared edges', () => {
  it('an engine importing another engine does not resolve (pnpm isolation + references)', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(ROOT, 'packages', 'form-engine', '.probe-'));
    try {
      writeFileSync(
        join(dir, 'probe.ts'),
        "import { transition } from '@trellis/flow-engine';\nexport const x = transition;\n",
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: '../../../tsconfig.base.json',
          compilerOptions: {
            noEmit: true,
            composite: false,
            declaration: false,
            declarationMap: false,
          },
          include: ['probe.ts'],
        }),
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      assert.notEqual(result.status, 0);
      assert.match(result.stdout, /TS2307: Cannot find module '@trellis\/flow-engine'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
