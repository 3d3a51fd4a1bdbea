// Lint, including the house plan's import boundaries (docs/architecture.md).
// A boundary is a `no-restricted-imports` rule scoped to a folder; crossing one fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process', 'worker_threads', 'stream', 'url', 'util', 'events', 'zlib', 'dgram', 'dns', 'tls'];
const restrict = (groups, message) => ({ group: groups, message });

const everywhere = [
  restrict(['electron', 'electron/*'], 'electron may only be imported in main/electron/.'),
  restrict(['keytar'], 'keytar may only be imported in main/secrets/.'),
  restrict(['better-sqlite3'], 'better-sqlite3 may only be imported in main/store/.'),
];
const noNode = restrict([...nodeBuiltins, 'express', 'express/*', 'ws', 'pino', 'pino-*', 'ccxt', '@ngrok/*', 'localtunnel'], 'renderer/ and shared/ must not use Node, express or I/O libraries.');
const pureEngine = restrict([...nodeBuiltins, 'express', 'express/*', 'ws', 'pino', 'pino-*', 'ccxt', '@ngrok/*', 'localtunnel', '**/store/**', '**/server/**', '**/brokers/**', '**/secrets/**', '**/tunnel/**', '**/log.js', '**/agent.js'], 'The strategy, risk and order-state engines are pure: no I/O imports.');

const without = (list, ...drop) => list.filter((r) => !drop.some((d) => r.group.includes(d)));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**', 'playwright-report/**', 'e2e/fixtures/boundary/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: everywhere }],
    },
  },
  { files: ['main/electron/**'], rules: { 'no-restricted-imports': ['error', { patterns: without(everywhere, 'electron') }] } },
  { files: ['main/secrets/**'], rules: { 'no-restricted-imports': ['error', { patterns: without(everywhere, 'keytar') }] } },
  { files: ['main/store/**'], rules: { 'no-restricted-imports': ['error', { patterns: without(everywhere, 'better-sqlite3') }] } },
  // The benchmark's reference servers and its read-only look into a stopped agent's database (never shipped code).
  { files: ['bench/reference/**', 'bench/db/**'], rules: { 'no-restricted-imports': ['error', { patterns: without(everywhere, 'better-sqlite3') }] } },
  {
    files: ['renderer/**', 'shared/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [...everywhere, noNode] }] },
  },
  {
    files: ['main/strategy/**', 'main/risk/**', 'main/orders/state-machine*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...everywhere, pureEngine] }] },
  },
);
