/**
 * Electron composition root — the only file that imports electron at runtime. It registers what
 * must precede `ready` (sandbox for every renderer, the privileged app:// scheme, the single
 * instance lock), builds the real facade from Electron's modules, and hands it to `startShell`.
 * Everything with behaviour lives behind the facade and is unit-tested with a fake.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  Tray,
  type WebContents,
} from 'electron';
import { join } from 'node:path';
import { SystemClock } from '../node/system-clock';
import { createConsoleLogger } from '../node/console-logger';
import { StateDir } from '../node/state/state-dir';
import type { TrayIcon } from '../core/shell/tray-state';
import type { GuardableContents, ShellFacade, WindowLike } from './facade';
import { APP_SCHEME } from './security';
import { startShell } from './shell';

/** Must match `appId` in electron-builder.yml (Windows notifications need it). */
const APP_ID = 'dev.livedesk.desktop';
const logger = createConsoleLogger(process.env.LIVE_DESK_LOG === 'debug' ? 'debug' : 'info');

function guardable(wc: WebContents): GuardableContents {
  return {
    setWindowOpenHandler: (handler) => wc.setWindowOpenHandler((details) => handler(details)),
    onNavigation: (listener) => {
      wc.on('will-navigate', (e) => listener('will-navigate', e.url, () => e.preventDefault()));
      wc.on('will-redirect', (e) => listener('will-redirect', e.url, () => e.preventDefault()));
      wc.on('will-frame-navigate', (e) => listener('will-frame-navigate', e.url, () => e.preventDefault()));
    },
    onAttachWebview: (listener) => {
      wc.on('will-attach-webview', (e) => listener(() => e.preventDefault()));
    },
  };
}

function adaptWindow(w: BrowserWindow): WindowLike {
  return {
    webContents: w.webContents,
    loadURL: (url) => w.loadURL(url),
    show: () => w.show(),
    hide: () => w.hide(),
    focus: () => w.focus(),
    restore: () => w.restore(),
    maximize: () => w.maximize(),
    isMinimized: () => w.isMinimized(),
    isMaximized: () => w.isMaximized(),
    isVisible: () => w.isVisible(),
    isDestroyed: () => w.isDestroyed(),
    getNormalBounds: () => w.getNormalBounds(),
    onClose: (listener) => {
      w.on('close', (e) => listener(() => e.preventDefault()));
    },
    on: (event, listener) => {
      w.on(event as 'closed', listener);
    },
  };
}

function trayImage(icon: TrayIcon): Electron.NativeImage {
  // Packaged: extraResources copies resources/tray next to app.asar. `name@2x.png` beside each
  // file is picked up automatically for HiDPI.
  const dir = app.isPackaged ? join(process.resourcesPath, 'tray') : join(app.getAppPath(), 'resources', 'tray');
  return nativeImage.createFromPath(join(dir, `${icon}.png`));
}

function realFacade(): ShellFacade {
  // Electron garbage-collects Notification objects that nothing references, and their click
  // handlers with them: keep the recent ones alive.
  const liveNotifications: Notification[] = [];
  const ses = session.defaultSession;
  return {
    platform: process.platform,
    app: {
      isPackaged: app.isPackaged,
      quit: () => app.quit(),
      onBeforeQuit: (l) => app.on('before-quit', () => l()),
      onActivate: (l) => app.on('activate', () => l()),
      onSecondInstance: (l) => app.on('second-instance', () => l()),
      onWindowAllClosed: (l) => app.on('window-all-closed', () => l()),
      onWebContentsCreated: (l) => app.on('web-contents-created', (_e, wc) => l(guardable(wc))),
    },
    createWindow: (options) => adaptWindow(new BrowserWindow(options)),
    createTray: (icon) => {
      const tray = new Tray(trayImage(icon));
      return {
        setImage: (i) => tray.setImage(trayImage(i)),
        setToolTip: (text) => tray.setToolTip(text),
        setContextMenu: (template) => tray.setContextMenu(Menu.buildFromTemplate(template)),
        onClick: (l) => tray.on('click', () => l()),
        destroy: () => tray.destroy(),
      };
    },
    notifications: {
      isSupported: () => Notification.isSupported(),
      show: (options, onClick) => {
        const n = new Notification(options);
        n.on('click', () => onClick());
        liveNotifications.push(n);
        if (liveNotifications.length > 50) liveNotifications.shift();
        n.show();
      },
    },
    ipc: ipcMain,
    safeStorage,
    session: {
      setPermissionRequestHandler: (h) => ses.setPermissionRequestHandler((_wc, permission, cb) => h(permission, cb)),
      setPermissionCheckHandler: (h) => ses.setPermissionCheckHandler((_wc, permission) => h(permission)),
      onBeforeRequest: (l) => ses.webRequest.onBeforeRequest((details, cb) => l(details, cb)),
      onHeadersReceived: (l) => ses.webRequest.onHeadersReceived((details, cb) => l(details, cb)),
    },
    screen: { getAllDisplays: () => screen.getAllDisplays() },
    stateFiles: new StateDir(app.getPath('userData')),
    handleAppProtocol: (handler) => protocol.handle(APP_SCHEME, (request) => handler(request)),
  };
}

if (!app.requestSingleInstanceLock()) {
  // Another Live Desk is running: it shows its window (second-instance); this one leaves.
  app.quit();
} else {
  app.enableSandbox();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  void app.whenReady().then(() => {
    startShell(realFacade(), {
      preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
      rendererDir: join(import.meta.dirname, '../renderer'),
      rendererUrl: process.env.ELECTRON_RENDERER_URL,
      ledgerPath: join(app.getPath('userData'), 'ledger.sqlite'),
      // Packaged: extraResources copies the sample next to app.asar (electron-builder.yml).
      portfolioPath: app.isPackaged ? join(process.resourcesPath, 'portfolio.sample.json') : join(app.getAppPath(), 'resources', 'portfolio.sample.json'),
      clock: new SystemClock(),
      env: process.env,
      logger,
    });
  });
}
