/**
 * Plain-Node entry of the headless desk: `npm start -- --headless [--port N] [--host H]`, and the
 * fallback of `npm start` where no Electron binary exists.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createDesk } from '../node/desk';
import { SystemClock } from '../node/system-clock';
import { createConsoleLogger } from '../node/console-logger';
import { startHeadlessServer, isLoopback, type HeadlessServer } from './server';
import { CliError, DEFAULT_PORT, parseCliArgs } from './cli';
import { HeadlessCredentialVault, loadHeadlessCredentials } from '../node/credentials/headless';
import { StateDir } from '../node/state/state-dir';
import { KillSwitchFileStore } from '../node/state/kill-switch-file';
import { DeskSettingsFile } from '../node/state/desk-settings-file';
import { watchFileDebounced } from '../node/portfolio-watcher';
import { SqliteLedgerStore } from '../node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../node/ledger/reconciliation-store';
import { ledgerPnlSampleSink } from '../core/events/ledger-pnl-sink';
import { ACCOUNTS_FILE, loadAccountsFile } from '../node/config/accounts-file';
import type { Account } from '../core/model/account';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const RENDERER_DIR = resolve(ROOT, 'out/renderer');

export interface RunOptions {
  /** Why the desk runs headless, for the one line the user reads (e.g. "no Electron binary"). */
  reason?: string;
}

export async function runHeadless(argv: readonly string[], runOpts: RunOptions = {}): Promise<HeadlessServer> {
  const cli = parseCliArgs(argv, process.env);
  if (!existsSync(resolve(RENDERER_DIR, 'index.html'))) {
    throw new CliError(`the renderer is not built (${RENDERER_DIR}/index.html missing): run "npm run build:renderer" or "npm start"`);
  }
  const logger = createConsoleLogger(process.env.LIVE_DESK_LOG === 'debug' ? 'debug' : 'warn');
  // Credentials come from the environment or a 0600 file; say which (never the values).
  const credentials = loadHeadlessCredentials({ env: process.env, uid: process.getuid?.() ?? null });
  logger.info(credentials.detail);
  if (credentials.source !== 'none') process.stdout.write(`${credentials.detail}\n`);
  const stateDir = new StateDir(process.env.LIVE_DESK_STATE_DIR ?? join(homedir(), '.live-desk'));
  const clock = new SystemClock();
  // The day's P&L curve goes to the local ledger (a newer or foreign database is refused untouched).
  const ledgerPath = join(stateDir.dir, 'ledger.sqlite');
  let ledger: SqliteLedgerStore;
  // Told by the ledger when its writes fail or recover; the desk shows it (health row + notification).
  let deskForLedger: { reportLedgerProblem(problem: string | null): void } | null = null;
  try {
    stateDir.ensure(); // owner-only (0700), also when it already existed
    ledger = SqliteLedgerStore.open({ path: ledgerPath, clock, logger, onProblem: (p) => deskForLedger?.reportLedgerProblem(p) });
  } catch (err) {
    throw new CliError(`cannot open the ledger ${ledgerPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Accounts besides the configured venue's own (accounts.json in the state directory); a bad file stops the start, naming each field.
  let accounts: Account[];
  try {
    accounts = loadAccountsFile(stateDir, ACCOUNTS_FILE);
  } catch (err) {
    ledger.close();
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const desk = createDesk({
    clock,
    logger,
    env: process.env,
    accounts,
    accountLedger: ledger.accounts,
    orderJournal: ledger.orderJournal,
    config: { seed: cli.seed },
    credentials: new HeadlessCredentialVault(credentials),
    killSwitchStore: new KillSwitchFileStore(stateDir),
    settings: new DeskSettingsFile(stateDir, logger),
    // The default run shows the bundled sample until the settings name another file.
    portfolioPath: resolve(ROOT, 'resources/portfolio.sample.json'),
    watchPortfolio: watchFileDebounced(clock),
    pnlSampleSink: ledgerPnlSampleSink(ledger),
    quoteRecorder: ledger.quotes,
    // Reconciliation: resolutions persist in the ledger; the P&L compare reads our fills there.
    reconciliationStore: new LedgerReconciliationStore(ledger.settings),
    ledgerFills: ledger.orders,
    // Venue fills, durably (synchronous=FULL) and idempotently (app/trading/account-fills.ts).
    fillLedger: ledger.orders,
    // The monitoring cycle's cycles, day P&L, positions with analytics, regenerations and settings.
    monitorStore: ledger.monitor,
    // Strategy definitions, runs (with the engine's state, resumed after a restart) and their audit log.
    strategyStore: ledger.strategy,
    smartApiMasterCache: ledger.smartapiMaster,
    // Replay (issue 21): recorded days and saved results in the ledger; the synthetic sample day shipped in resources/.
    replay: { ledger, samplePath: resolve(ROOT, 'resources/replay-sample-spy.csv') },
  });
  deskForLedger = desk;
  const start = (port: number) =>
    startHeadlessServer({ desk, staticDir: RENDERER_DIR, host: cli.host, port, token: cli.token, insecureNoToken: cli.unsafeNoToken, allowedHosts: cli.allowHosts, logger });
  let server: HeadlessServer;
  try {
    server = await start(cli.port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && cli.port === DEFAULT_PORT) {
      server = await start(0); // the default port is taken: any free port rather than failing
    } else {
      await desk.dispose();
      ledger.close();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(`port ${cli.port} on ${cli.host} is already in use; choose another with --port N (0 = any free port)`);
      }
      throw err;
    }
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void desk
      .dispose()
      .then(() => ledger.close()) // drains batched rows (the P&L curve) before exit
      .then(() => server.close())
      .then(
        () => {
          process.stdout.write(`Live Desk stopped (${signal}).\n`);
          process.exit(0);
        },
        (err: unknown) => {
          process.stderr.write(`live-desk: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exit(1);
        },
      );
    setTimeout(() => process.exit(1), 3000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const why = runOpts.reason ? `${runOpts.reason} — running headless` : 'Live Desk headless';
  // One line: the address to open, with this run's access token inside it (as Jupyter prints it).
  process.stdout.write(`${why}: open ${server.openUrl}\n`);
  if (!server.token) {
    process.stdout.write('WARNING: --unsafe-no-token: no access token — any local process or web page that reaches this port can drive the desk\n');
  } else if (!isLoopback(cli.host)) {
    process.stdout.write(`access token required (bound to ${cli.host}, not loopback): it is in the URL above and is shown only once\n`);
  }

  return server;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  runHeadless(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`live-desk: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
