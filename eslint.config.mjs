// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule (docs/architecture.md), enforced here as well as by
 * package.json dependencies and TypeScript project references.
 */
const IO_AND_FRAMEWORKS = [
  { group: ['@nestjs/*'], message: 'Engines are pure: no NestJS under packages/.' },
  { group: ['typeorm', 'typeorm/*'], message: 'Engines are pure: no TypeORM under packages/.' },
  {
    group: ['pg', 'pg/*', 'pg-*'],
    message: 'Engines are pure: no database driver under packages/.',
  },
  { group: ['bullmq', 'ioredis'], message: 'Engines are pure: no queues under packages/.' },
  {
    group: ['react', 'react/*', 'react-*'],
    message: 'Engines are headless: no React under packages/.',
  },
  {
    group: ['echarts', 'echarts/*'],
    message: 'Engines return chart options as data: no echarts under packages/.',
  },
  {
    group: [
      'fs',
      'fs/*',
      'node:fs',
      'node:fs/*',
      'net',
      'node:net',
      'http',
      'node:http',
      'https',
      'node:https',
      'child_process',
      'node:child_process',
      'dgram',
      'node:dgram',
      'tls',
      'node:tls',
    ],
    message: 'Engines do no I/O: the host passes data in and performs effects.',
  },
];
const APPS = [
  {
    group: ['@trellis/api', '@trellis/designer', '**/apps/**'],
    message: 'Packages never import apps.',
  },
];
const ENGINE_PEERS = {
  'rule-engine': [
    '@trellis/form-engine',
    '@trellis/flow-engine',
    '@trellis/report-engine',
    '@trellis/app-bundle',
  ],
  'form-engine': ['@trellis/flow-engine', '@trellis/report-engine', '@trellis/app-bundle'],
  'flow-engine': ['@trellis/form-engine', '@trellis/report-engine', '@trellis/app-bundle'],
  'report-engine': ['@trellis/form-engine', '@trellis/flow-engine', '@trellis/app-bundle'],
  'app-bundle': [],
};

const noProcessEnv = {
  'no-restricted-properties': [
    'error',
    {
      object: 'process',
      property: 'env',
      message: 'Engines do not read the environment; pass settings in.',
    },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'Engines do not touch the process; pass settings in.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-e2e/**',
      '**/.tsbuild/**',
      '.trellis/**',
      'test-output/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    // Nest reads constructor parameter types at runtime (emitDecoratorMetadata).
    files: ['apps/api/**/*.ts'],
    languageOptions: {
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
  },
  {
    files: ['apps/designer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@trellis/api', '**/apps/api/**', 'typeorm', 'pg', '@nestjs/*'],
              message: 'The designer talks to the API over HTTP only.',
            },
          ],
        },
      ],
    },
  },
  ...Object.entries(ENGINE_PEERS).map(([pkg, peers]) => ({
    files: [`packages/${pkg}/src/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...IO_AND_FRAMEWORKS,
            ...APPS,
            ...(peers.length > 0
              ? [
                  {
                    group: peers,
                    message: 'Engines do not import each other (only rule-engine is shared).',
                  },
                ]
              : []),
            {
              group: ['@trellis/*/src/*', '@trellis/*/dist/*'],
              message: 'Import a package through its public door (src/index.ts).',
            },
          ],
        },
      ],
      ...noProcessEnv,
    },
  })),
);
