// Lint enforces the layering of docs/architecture.md: imports flow one way, and the core is pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { layersPlugin } from './eslint.layers.js';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util',
  'v8', 'vm', 'worker_threads', 'zlib',
];
const RUNTIMES = ['electron', 'ws', 'better-sqlite3', 'react', 'react-dom', 'react-dom/client', 'zustand', ...NODE_BUILTINS];

const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: paths.map((name) => ({ name, message })),
      patterns: [{ group: patterns, message }],
    },
  ],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      ...restrict(RUNTIMES, ['node:*', '**/node/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/headless/**', '**/shared/**'],
        'src/core is pure: no runtime (electron, node, ws, sqlite, react/DOM) and no outer layer (docs/architecture.md).'),
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'core takes an injected Scheduler (ports/clock.ts)' },
        { name: 'setInterval', message: 'core takes an injected Scheduler (ports/clock.ts)' },
        { name: 'performance', message: 'core takes an injected Clock (ports/clock.ts)' },
        { name: 'window', message: 'no DOM in core' },
        { name: 'document', message: 'no DOM in core' },
        { name: 'process', message: 'no Node in core' },
        { name: 'console', message: 'core logs through the Logger port' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'core never reads the wall clock: use the injected Clock' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core never reads the wall clock: use the injected Clock' },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(RUNTIMES, ['node:*', '**/node/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/headless/**'],
      'src/shared is the contract: it may use only core types and zod.'),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(['electron', 'ws', 'better-sqlite3', ...NODE_BUILTINS], ['node:*', '**/node/**', '**/main/**', '**/preload/**', '**/headless/**'],
        'the renderer talks to the desk only through the transport (src/shared contract); it never imports main, node or headless.'),
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict([], ['**/node/**', '**/core/**', '**/renderer/**', '**/headless/**', '**/main/**'], 'the preload exposes the contract and nothing else.'),
  },
  {
    files: ['src/node/**/*.ts', 'src/headless/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom'], ['**/renderer/**', '**/main/**'], 'node adapters and the headless desk run without Electron or React.'),
  },
  {
    // The per-folder import allow-list (eslint.layers.js): a folder without an entry fails lint.
    files: ['src/**/*.{ts,tsx,mts,cts,js,mjs,cjs,jsx}'],
    plugins: { layers: layersPlugin },
    rules: { 'layers/allow-list': 'error' },
  },
);
