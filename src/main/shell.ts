/**
 * The desktop shell's wiring, given a facade: session guards, the desk (with its kill switch file
 * and the safeStorage credential vault), the IPC bridge, the main window with remembered state,
 * the tray, and native notifications. `index.ts` calls it with the real Electron facade; tests
 * call it with a fake one, so what they exercise is exactly what ships.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { readFile } from 'node:fs/promises';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock, Scheduler } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { NotificationPolicy, type NotificationPolicyConfig } from '../core/alerts/policy';
import { createDesk, type Desk, type DeskConfig } from '../node/desk';
import { KillSwitchFileStore } from '../node/state/kill-switch-file';
import { DeskSettingsFile } from '../node/state/desk-settings-file';
import { watchFileDebounced } from '../node/portfolio-watcher';
import { deskModeOf, notificationModeLabel } from '../core/shell/tray-state';
import { SqliteLedgerStore } from '../node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../node/ledger/reconciliation-store';
import { ledgerPnlSampleSink } from '../core/events/ledger-pnl-sink';
import { ACCOUNTS_FILE, loadAccountsFile } from '../node/config/accounts-file';
import type { Account } from '../core/model/account';
import type { DeskEvent, NavigationRequest } from '../shared/contract';
import type { ShellFacade, WindowLike } from './facade';
import { registerIpc } from './ipc-bridge';
import { Notifier } from './notifier';
import { SafeStorageVault } from './safe-storage-vault';
import {
  APP_ENTRY_URL,
  contentSecurityPolicy,
  devServerOrigin,
  hardenWebContents,
  installSessionGuards,
  isTrustedSender,
  secureWebPreferences,
  type TrustedOrigins,
} from './security';
import { loadShellSettings, type ShellSettings } from './settings';
import { createAppProtocolHandler } from './app-protocol';
import { TrayController } from './tray-controller';
import { MIN_SIZE, WindowStateKeeper, loadWindowState, placeWindow, type WindowState } from './window-state';

export interface ShellOptions {
  /** Absolute path of the built preload (CommonJS: sandboxed preloads cannot be ES modules). */
  preloadPath: string;
  /** Directory of the built renderer, served on app://desk/. */
  rendererDir: string;
  /** ELECTRON_RENDERER_URL from electron-vite dev; honoured only unpackaged and on loopback. */
  rendererUrl?: string;
  clock: Clock & Scheduler;
  logger: Logger;
  deskConfig?: Partial<DeskConfig>;
  /** Venue settings source (LIVE_DESK_*, APCA_*; see src/node/config/market-config.ts). */
  env?: Record<string, string | undefined>;
  notificationPolicy?: Partial<NotificationPolicyConfig>;
  /** Portfolio file loaded when the desk settings name none (the bundled sample). */
  portfolioPath?: string;
  /**
   * The local SQLite ledger (the day's P&L curve goes there), normally `<userData>/ledger.sqlite`.
   * When it cannot be opened the shell runs without it and says so (log + one notification).
   */
  ledgerPath?: string;
}

export interface Shell {
  readonly desk: Desk;
  /** The open ledger, or null (none configured, or it could not be opened: see `ledgerProblem`). */
  readonly ledger: SqliteLedgerStore | null;
  readonly ledgerProblem: string | null;
  readonly tray: TrayController;
  readonly notifier: Notifier;
  readonly vault: SafeStorageVault;
  readonly settings: ShellSettings;
  readonly origins: TrustedOrigins;
  window(): WindowLike | null;
  showWindow(): void;
  quit(): void;
}

export function mainWindowOptions(placed: WindowState, preloadPath: string, opts: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    ...(placed.x !== undefined && placed.y !== undefined ? { x: placed.x, y: placed.y } : {}),
    width: placed.width,
    height: placed.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Live Desk',
    backgroundColor: '#1a1b1e',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath, opts),
  };
}

export function startShell(facade: ShellFacade, opts: ShellOptions): Shell {
  const { clock, logger } = opts;
  const files = facade.stateFiles;
  const settings = loadShellSettings(files, logger);
  const origins: TrustedOrigins = { devServer: devServerOrigin(facade.app.isPackaged, opts.rendererUrl) };
  const startUrl = origins.devServer !== null ? opts.rendererUrl! : APP_ENTRY_URL;

  installSessionGuards(facade.session, origins, logger);
  facade.handleAppProtocol(createAppProtocolHandler({ rootDir: opts.rendererDir, csp: contentSecurityPolicy(origins), readFile }));
  facade.app.onWebContentsCreated((contents) => hardenWebContents(contents, logger));

  const vault = new SafeStorageVault({ safeStorage: facade.safeStorage, platform: facade.platform, files, clock, logger });
  let deskForLedger: { reportLedgerProblem(problem: string | null): void } | null = null;
  const { ledger, problem: ledgerProblem } = openLedger(opts.ledgerPath, clock, logger, (p) => deskForLedger?.reportLedgerProblem(p));
  // Accounts besides the configured venue's own (accounts.json next to the other state files).
  let accounts: Account[] = [];
  try {
    accounts = loadAccountsFile(files, ACCOUNTS_FILE);
  } catch (err) {
    logger.error('the accounts file cannot be used: only the default account is held', { message: err instanceof Error ? err.message : String(err) });
  }
  const desk = createDesk({
    clock,
    logger,
    config: opts.deskConfig,
    accounts,
    ...(ledger ? { accountLedger: ledger.accounts, orderJournal: ledger.orderJournal } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    credentials: vault,
    killSwitchStore: new KillSwitchFileStore(files),
    alerts: { feedStaleAfterMs: settings.feedStaleAfterMs },
    settings: new DeskSettingsFile(files, logger),
    portfolioPath: opts.portfolioPath ?? null,
    watchPortfolio: watchFileDebounced(clock),
    ...(ledger ? { pnlSampleSink: ledgerPnlSampleSink(ledger), quoteRecorder: ledger.quotes } : {}),
    // Reconciliation: resolutions persist in the ledger; the P&L compare reads our fills there.
    ...(ledger ? { reconciliationStore: new LedgerReconciliationStore(ledger.settings), ledgerFills: ledger.orders } : {}),
    // Venue fills, durably (synchronous=FULL) and idempotently (app/trading/account-fills.ts).
    ...(ledger ? { fillLedger: ledger.orders } : {}),
    // The monitoring cycle's cycles, day P&L, positions with analytics, regenerations and settings.
    ...(ledger ? { monitorStore: ledger.monitor } : {}),
    // Strategy definitions, runs (with the engine's state, resumed after a restart) and their audit log.
    ...(ledger ? { strategyStore: ledger.strategy, smartApiMasterCache: ledger.smartapiMaster } : {}),
    // Replay (issue 21): recorded days and saved results in the ledger; the synthetic sample beside the sample portfolio.
    replay: { ledger, samplePath: opts.portfolioPath ? join(dirname(opts.portfolioPath), 'replay-sample-spy.csv') : null },
  });
  deskForLedger = desk;

  let win: WindowLike | null = null;
  let quitting = false;
  let toldAboutTray = false;
  let pendingNavigation: NavigationRequest | null = null;
  const keeper = new WindowStateKeeper(files, clock, logger);

  const liveWindow = (): WindowLike | null => (win !== null && !win.isDestroyed() ? win : null);

  const sendToRenderer = (channel: string, payload: unknown): void => {
    const w = liveWindow();
    if (w && !w.webContents.isDestroyed()) w.webContents.send(channel, payload);
  };

  const bridge = registerIpc({
    ipc: facade.ipc,
    isTrustedSender: (frame) => isTrustedSender(frame, liveWindow()?.webContents.mainFrame ?? null, origins),
    handleCommand: (name, payload) => desk.handle(name, payload),
    snapshotEvent: () => desk.snapshotEvent(),
    sendToRenderer,
    logger,
  });

  function createMainWindow(): WindowLike {
    const placed = placeWindow(loadWindowState(files, logger), facade.screen.getAllDisplays().map((d) => d.workArea));
    const w = facade.createWindow(mainWindowOptions(placed, opts.preloadPath, { devTools: !facade.app.isPackaged }));
    w.on('ready-to-show', () => {
      if (placed.maximized) w.maximize();
      w.show();
      if (pendingNavigation) {
        bridge.navigate(pendingNavigation);
        pendingNavigation = null;
      }
    });
    for (const ev of ['resize', 'move', 'maximize', 'unmaximize'] as const) w.on(ev, () => keeper.changed(w));
    w.onClose((prevent) => {
      keeper.save(w);
      if (quitting || !settings.closeToTray) return;
      prevent();
      w.hide();
      if (!toldAboutTray && facade.notifications.isSupported()) {
        toldAboutTray = true;
        facade.notifications.show({ title: 'Live Desk is still running', body: 'It stays in the tray; quit from the tray menu.', silent: true }, showWindow);
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    w.loadURL(startUrl).catch((err: unknown) => logger.error('the interface failed to load', { message: err instanceof Error ? err.message : String(err) }));
    return w;
  }

  function showWindow(): void {
    const w = liveWindow();
    if (!w) {
      win = createMainWindow();
      return;
    }
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  }

  function focus(request: NavigationRequest): void {
    const existed = liveWindow() !== null;
    showWindow();
    if (existed) bridge.navigate(request);
    else pendingNavigation = request;
  }

  function quit(): void {
    quitting = true;
    facade.app.quit();
  }

  const tray = new TrayController({
    tray: facade.createTray('stopped'),
    initialIcon: 'stopped',
    clock,
    readDesk: () => desk.status(),
    runCommand: (name, payload) => desk.handle(name, payload),
    showWindow,
    quit,
    feedStaleAfterMs: settings.feedStaleAfterMs,
    logger,
  });

  const notifier = new Notifier({
    notifications: facade.notifications,
    policy: new NotificationPolicy(clock, opts.notificationPolicy),
    scheduler: clock,
    // [SIM] / [PAPER] / [LIVE], and TRADE when an account may send orders (spec §2).
    mode: () => {
      const st = desk.status();
      return notificationModeLabel(deskModeOf(st.mode, st.trading));
    },
    focus,
    enabled: settings.notifications,
    logger,
  });

  const unsubscribe = desk.subscribe((event: DeskEvent) => {
    bridge.forward(event);
    tray.onEvent(event);
    notifier.onEvent(event);
  });

  let disposed = false;
  facade.app.onBeforeQuit(() => {
    quitting = true;
    if (disposed) return;
    disposed = true;
    const w = liveWindow();
    if (w) keeper.save(w);
    keeper.dispose();
    unsubscribe();
    notifier.dispose();
    tray.dispose();
    bridge.dispose();
    void desk.dispose();
    // The tracker's last sample (the "stopped" marker) was recorded synchronously above; closing
    // drains every batched row before the process goes.
    try {
      ledger?.close();
    } catch (err) {
      logger.error('closing the ledger failed', { message: err instanceof Error ? err.message : String(err) });
    }
  });
  facade.app.onActivate(showWindow);
  facade.app.onSecondInstance(showWindow);
  facade.app.onWindowAllClosed(() => {
    // With close-to-tray the window only hides, so this means the user really closed it.
    if (!settings.closeToTray) quit();
  });

  win = createMainWindow();
  logger.info('desktop shell started', { closeToTray: settings.closeToTray, dev: origins.devServer !== null, ledger: ledger !== null });
  if (ledgerProblem !== null && facade.notifications.isSupported()) {
    facade.notifications.show({ title: 'P&L history is not being recorded', body: ledgerProblem }, showWindow);
  }

  return { desk, ledger, ledgerProblem, tray, notifier, vault, settings, origins, window: liveWindow, showWindow, quit };
}

/**
 * Opens the ledger, or explains why not. A newer or foreign database is refused untouched by the
 * store itself; a native module built for plain Node (an unpackaged run without a rebuild) gets
 * the command that fixes it.
 */
function openLedger(
  path: string | undefined,
  clock: Clock & Scheduler,
  logger: Logger,
  onProblem: (problem: string | null) => void,
): { ledger: SqliteLedgerStore | null; problem: string | null } {
  if (path === undefined) return { ledger: null, problem: null };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    chmodSync(dirname(path), 0o700); // owner-only also when the directory already existed
    return { ledger: SqliteLedgerStore.open({ path, clock, logger, onProblem }), problem: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /NODE_MODULE_VERSION|was compiled against a different/.test(message)
      ? ' — better-sqlite3 is built for Node, not Electron: run "npx electron-builder install-app-deps" (packaged builds are rebuilt automatically)'
      : '';
    const problem = `cannot open the ledger ${path}: ${message.split('\n')[0]}${hint}`;
    logger.warn('running without the ledger: the P&L history is not recorded', { path, message: problem });
    return { ledger: null, problem };
  }
}
