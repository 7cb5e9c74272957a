// The import allow-list of docs/architecture.md, one entry per source folder.
//
// Every folder under src/ that holds source files must have an entry here: a file in a folder
// without one fails lint ("no import rule"), so a new folder is a decision about what it may
// depend on, not an accident. An entry lists the folders (exact, or `dir/**` for a subtree) and the
// npm packages (exact, `@scope/*`, or `node:*` for Node's built-ins) its files may import. A file
// may always import from its own folder. Type-only imports count: a type dependency is a dependency.
import { builtinModules } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const NODE = ['node:*'];
const core = (...dirs) => dirs.map((d) => `src/core/${d}`);
const node = (...dirs) => dirs.map((d) => (d === '' ? 'src/node' : `src/node/${d}`));
const ui = (...dirs) => dirs.map((d) => (d === '' ? 'src/renderer/src' : `src/renderer/src/${d}`));
const REACT = ['react', 'react-dom', 'react/*', 'react-dom/*', '@mantine/*'];

/** folder → what its files may import. */
export const LAYERS = {
  // ---- the core: pure, deterministic (no runtime packages; see the restrict rules beside this) ----
  'src/core/alerts': { folders: core('market', 'model', 'ports'), packages: [] },
  'src/core/events': { folders: core('market', 'model', 'pnl', 'ports'), packages: [] },
  'src/core/greeks': { folders: core('market', 'model'), packages: [] },
  'src/core/market': { folders: core('model', 'ports'), packages: [] },
  'src/core/model': { folders: core('market', 'ports'), packages: ['luxon', 'zod'] },
  // (the monitoring cycle's pure foundations: the §8 matrix, exchange sessions, per-account scheduling)
  // (strategy definitions, the runtime state machine, the entry ladder, contract selection: issue 18)
  'src/core/strategy': { folders: core('greeks', 'market', 'model', 'monitor', 'orders', 'pnl', 'ports'), packages: ['luxon', 'zod'] },
  'src/core/monitor': { folders: core('model', 'ports', 'orders', 'pnl'), packages: ['luxon'] },
  // (risk: the gateway enforces the kill switch's levels)
  'src/core/orders': { folders: core('model', 'ports', 'risk'), packages: [] },
  'src/core/pnl': { folders: core('events', 'greeks', 'market', 'model', 'orders', 'ports'), packages: [] },
  'src/core/ports': { folders: core('events', 'market', 'model', 'orders', 'risk'), packages: [] },
  'src/core/risk': { folders: core('model', 'ports'), packages: [] },
  'src/core/shell': { folders: core('alerts', 'model', 'ports', 'risk'), packages: [] },
  // (replay: a day of quotes as steps, the CSV import, the replay clock, the result of a run; issue 21)
  'src/core/replay': { folders: core('events', 'market', 'model', 'pnl', 'ports'), packages: ['zod'] },

  // ---- the contract: core types and zod only ----
  'src/shared': { folders: ['src/core/**'], packages: ['zod'] },

  // ---- Node adapters: the core, the contract, each other as listed ----
  'src/node': { folders: ['src/core/**', 'src/shared', ...node('app', 'app/handlers', 'app/trading', 'app/monitor', 'app/strategy', 'app/replay', 'config', 'credentials', 'ledger', 'state', 'stream', 'venues', 'venues/alpaca', 'venues/sim')], packages: [...NODE, 'zod'] },
  'src/node/app': { folders: ['src/core/**', 'src/shared', ...node('', 'app/handlers', 'app/trading', 'config', 'venues')], packages: [] },
  'src/node/app/handlers': { folders: ['src/core/**', 'src/shared', ...node('', 'app', 'app/trading', 'app/monitor', 'app/strategy', 'app/replay')], packages: [] },
  // (the order path in the desk: trading service, account fills, reconciler — on core ports, composed by the desk)
  'src/node/app/trading': { folders: ['src/core/**', 'src/shared', ...node('', 'app', 'app/monitor')], packages: [] },
  // (the monitoring cycle: scheduler, the ten steps on the order path and the reconciliation, composed by the desk)
  // (strategy runs: the engine fed and carried out, definitions, persistence; issue 18)
  'src/node/app/strategy': { folders: ['src/core/**', 'src/shared', ...node('', 'app', 'app/trading')], packages: [] },
  'src/node/app/monitor': { folders: ['src/core/**', 'src/shared', ...node('', 'app', 'app/trading')], packages: [] },
  // (replay: a separate desk composed with the replay venue and clock, its sources and saved results; issue 21)
  'src/node/app/replay': { folders: ['src/core/**', 'src/shared', ...node('', 'app', 'app/strategy', 'ledger', 'venues', 'venues/replay', 'venues/sim')], packages: [...NODE, 'better-sqlite3'] },
  'src/node/config': { folders: ['src/core/**', 'src/shared', ...node('state')], packages: [...NODE, 'zod'] },
  'src/node/credentials': { folders: ['src/core/**'], packages: [...NODE, 'zod'] },
  'src/node/ledger': { folders: ['src/core/**', 'src/shared', ...node('', 'ledger/tables')], packages: [...NODE, 'better-sqlite3', 'zod'] },
  'src/node/ledger/tables': { folders: ['src/core/**', ...node('ledger')], packages: [...NODE, 'better-sqlite3', 'zod'] },
  'src/node/state': { folders: ['src/core/**', 'src/shared'], packages: [...NODE, 'zod'] },
  'src/node/stream': { folders: ['src/core/**'], packages: [...NODE, 'ws'] },
  'src/node/venues': { folders: ['src/core/**', 'src/shared', ...node('config', 'stream', 'venues/alpaca', 'venues/sim', 'venues/smartapi', 'venues/delta')], packages: [...NODE, 'zod'] },
  // (SmartAPI and Delta: their adapters; their builders reach the registry's types and their sim face)
  'src/node/venues/smartapi': { folders: ['src/core/**', 'src/shared', ...node('config', 'ledger', 'stream', 'venues', 'venues/sim', 'venues/sim/nse')], packages: [...NODE, 'ws', 'zod', 'otpauth', 'better-sqlite3'] },
  'src/node/venues/delta': { folders: ['src/core/**', 'src/shared', ...node('config', 'ledger', 'stream', 'venues', 'venues/sim', 'venues/sim/delta')], packages: [...NODE, 'ws', 'zod'] },
  'src/node/venues/sim/nse': { folders: ['src/core/**', 'src/shared', ...node('stream', 'venues/sim', 'venues/smartapi')], packages: [...NODE, 'ws', 'zod'] },
  'src/node/venues/sim/delta': { folders: ['src/core/**', 'src/shared', ...node('stream', 'venues/sim', 'venues/delta')], packages: [...NODE, 'ws', 'zod'] },
  'src/node/venues/alpaca': { folders: ['src/core/**', 'src/shared', ...node('config', 'stream')], packages: [...NODE, 'ws', 'zod', '@msgpack/msgpack'] },
  // (the replay venue: market data from a replayed day, a paper matcher with the sim broker's fill rules; issue 21)
  'src/node/venues/replay': { folders: ['src/core/**', 'src/shared', ...node('venues', 'venues/sim')], packages: [] },
  'src/node/venues/sim': { folders: ['src/core/**', 'src/shared', ...node('stream', 'venues/alpaca')], packages: [...NODE, 'ws', 'zod'] },

  // ---- the headless desk (serves the UI over a socket) and the Electron shell ----
  'src/headless': { folders: ['src/core/**', 'src/shared', 'src/node/**'], packages: [...NODE, 'ws', 'zod'] },
  'src/main': { folders: ['src/core/**', 'src/shared', 'src/node/**'], packages: [...NODE, 'electron', 'zod'] },
  'src/preload': { folders: ['src/shared'], packages: ['electron'] },

  // ---- the renderer: the contract, presentation helpers of the core, React ----
  'src/renderer/src': { folders: ['src/shared', ...ui('components', 'features/**', 'hooks', 'stores/**', 'transport')], packages: REACT },
  'src/renderer/src/components': { folders: ['src/shared', ...core('market', 'model'), ...ui('features/format', 'features/health', 'hooks', 'stores/**')], packages: [...REACT, 'uplot'] },
  'src/renderer/src/features/charts': { folders: ['src/shared', ...core('model', 'pnl'), ...ui('components', 'features/format')], packages: [...REACT, 'uplot'] },
  'src/renderer/src/features/events': { folders: ['src/shared', ...ui('components', 'features/format', 'hooks', 'stores/**')], packages: REACT },
  'src/renderer/src/features/format': { folders: ['src/shared', ...core('model')], packages: [] },
  'src/renderer/src/features/health': { folders: ['src/shared', ...ui('components', 'features/format', 'hooks', 'stores/**')], packages: REACT },
  'src/renderer/src/features/navigation': { folders: ['src/shared', ...ui('hooks', 'stores/**')], packages: REACT },
  'src/renderer/src/features/portfolio': {
    folders: ['src/shared', ...core('greeks', 'market', 'model', 'pnl'), ...ui('components', 'features/charts', 'features/events', 'features/format', 'features/health', 'hooks', 'stores/**', 'transport')],
    packages: [...REACT, '@tanstack/react-virtual', 'zustand'],
  },
  // (the Orders page and the header's trading controls: Trade/Monitor, LIVE arming, kill switch)
  'src/renderer/src/features/orders': {
    folders: ['src/shared', ...core('model'), ...ui('components', 'features/format', 'features/portfolio', 'hooks', 'stores/**', 'transport')],
    packages: [...REACT, '@tanstack/react-virtual'],
  },
  // (the Monitor page: the per-account monitoring cycle; useCommand comes from features/portfolio)
  'src/renderer/src/features/monitor': { folders: ['src/shared', ...core('model'), ...ui('components', 'features/format', 'features/portfolio', 'hooks', 'stores/**', 'transport')], packages: REACT },
  // (the Live Control page: strategy runs and definitions; confirmations and account phrases from features/orders, useCommand from features/portfolio)
  'src/renderer/src/features/live-control': { folders: ['src/shared', ...ui('components', 'features/format', 'features/orders', 'features/portfolio', 'hooks', 'stores/**', 'transport')], packages: REACT },
  // (the Replay page: a day played through a separate desk, its progress, P&L curve, trades and result; issue 21)
  'src/renderer/src/features/replay': { folders: ['src/shared', ...core('model'), ...ui('components', 'features/charts', 'features/format', 'features/portfolio', 'hooks', 'stores/**', 'transport')], packages: [...REACT, 'uplot'] },
  'src/renderer/src/features/settings': { folders: ['src/shared', ...core('model'), ...ui('components', 'features/format', 'features/portfolio', 'hooks', 'stores/**', 'transport')], packages: REACT },
  'src/renderer/src/features/shell': {
    folders: ['src/shared', ...ui('components', 'features/format', 'features/health', 'features/navigation', 'features/orders', 'features/portfolio', 'hooks', 'stores/**', 'transport')],
    packages: REACT,
  },
  'src/renderer/src/hooks': { folders: ['src/shared', ...ui('features/navigation', 'stores')], packages: ['react'] },
  'src/renderer/src/stores': { folders: ['src/shared', ...core('market', 'model', 'pnl'), ...ui('stores/slices')], packages: ['react', 'zustand', 'zustand/*'] },
  'src/renderer/src/stores/slices': { folders: ['src/shared', ...core('market', 'model', 'pnl'), ...ui('stores')], packages: [] },
  'src/renderer/src/transport': { folders: ['src/shared'], packages: ['react'] },
};

const ALIASES = [
  ['@core/', 'src/core/'],
  ['@shared/', 'src/shared/'],
];
const BUILTINS = new Set(builtinModules);

const posix = (p) => p.split(path.sep).join('/');

/** What a specifier imports: `{ folder }` inside the repo, or `{ pkg }`. */
function target(spec, fileDir, root) {
  for (const [alias, dir] of ALIASES) if (spec.startsWith(alias)) return folderOf(path.join(root, dir, spec.slice(alias.length)), root);
  if (spec.startsWith('.')) return folderOf(path.resolve(fileDir, spec), root);
  if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0])) return { pkg: spec.startsWith('node:') ? spec : `node:${spec}` };
  const parts = spec.split('/');
  return { pkg: spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0], full: spec };
}

function folderOf(abs, root) {
  const dir = existsSync(abs) && statSync(abs).isDirectory() ? abs : path.dirname(abs);
  return { folder: posix(path.relative(root, dir)) };
}

function folderAllowed(folder, allowed) {
  return allowed.some((a) => (a.endsWith('/**') ? folder === a.slice(0, -3) || folder.startsWith(a.slice(0, -2)) : folder === a));
}

function packageAllowed({ pkg, full }, allowed) {
  return allowed.some((a) => {
    if (a === 'node:*') return pkg.startsWith('node:');
    if (a.endsWith('/*')) return (full ?? pkg).startsWith(a.slice(0, -1));
    return a === pkg || a === full;
  });
}

/** A specifier's text: a string literal, or a template literal without expressions (`\`../x\``). */
function literalOf(node) {
  if (!node) return undefined;
  if (node.type === 'Literal') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
}

const allowList = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the per-folder allow-list of eslint.layers.js' },
    schema: [],
    messages: {
      noRule: 'folder {{folder}} has no import rule: add an entry for it to LAYERS in eslint.layers.js (what may it depend on?)',
      folder: '{{folder}} may not import from {{target}} (allowed: {{allowed}}; eslint.layers.js)',
      pkg: '{{folder}} may not import the package "{{pkg}}" (allowed: {{allowed}}; eslint.layers.js)',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const fileDir = path.dirname(file);
    const folder = posix(path.relative(root, fileDir));
    if (!folder.startsWith('src/') && folder !== 'src') return {};
    const rule = LAYERS[folder];
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const t = target(spec, fileDir, root);
      if ('folder' in t) {
        if (t.folder === folder || folderAllowed(t.folder, rule.folders)) return;
        context.report({ node, messageId: 'folder', data: { folder, target: t.folder, allowed: rule.folders.join(', ') || 'none' } });
      } else if (!packageAllowed(t, rule.packages)) {
        context.report({ node, messageId: 'pkg', data: { folder, pkg: t.full ?? t.pkg, allowed: rule.packages.join(', ') || 'none' } });
      }
    };
    return {
      Program(node) {
        if (!rule) context.report({ node, messageId: 'noRule', data: { folder } });
      },
      ImportDeclaration(node) {
        if (rule) check(node, node.source.value);
      },
      ExportNamedDeclaration(node) {
        if (rule && node.source) check(node, node.source.value);
      },
      ExportAllDeclaration(node) {
        if (rule) check(node, node.source.value);
      },
      ImportExpression(node) {
        if (rule) check(node, literalOf(node.source));
      },
      // `typeof import('../x')` / `import('../x').T` in a type: a type dependency is a dependency.
      TSImportType(node) {
        if (rule) check(node, literalOf(node.source ?? node.argument?.literal ?? node.argument));
      },
    };
  },
};

export const layersPlugin = { rules: { 'allow-list': allowList } };
