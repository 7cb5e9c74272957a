/**
 * The Electron surface the shell uses, as narrow interfaces typed from Electron's own types.
 * `index.ts` is the only file that imports electron at runtime: it builds the real facade from
 * `app`, `BrowserWindow`, `Tray`, `Menu`, `Notification`, `ipcMain`, `safeStorage`, `session` and
 * `screen`. Everything else takes a facade, so unit tests run the real shell logic against a fake
 * (Electron's binary cannot run on our machines, and electron 45 downloads it when `electron` is
 * first required from Node).
 */
import type {
  BrowserWindowConstructorOptions,
  CallbackResponse,
  Display,
  HandlerDetails,
  HeadersReceivedResponse,
  MenuItemConstructorOptions,
  NotificationConstructorOptions,
  OnBeforeRequestListenerDetails,
  OnHeadersReceivedListenerDetails,
  Rectangle,
  SafeStorage,
  WebFrameMain,
  WindowOpenHandlerResponse,
} from 'electron';
import type { TrayIcon } from '../core/shell/tray-state';
import type { StateFiles } from '../node/state/state-dir';

/** The parts of a WebFrameMain the sender check reads. */
export type FrameLike = Pick<WebFrameMain, 'url' | 'processId' | 'routingId'> & { readonly parent: FrameLike | null };

/** The parts of IpcMainEvent / IpcMainInvokeEvent the bridge reads. */
export interface IpcEventLike {
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeHandler(channel: string): void;
  removeAllListeners(channel?: string): unknown;
}

/** Navigation and window-creation guards of one webContents (every one the app creates). */
export interface GuardableContents {
  setWindowOpenHandler(handler: (details: Pick<HandlerDetails, 'url'>) => WindowOpenHandlerResponse): void;
  /** will-navigate, will-redirect and will-frame-navigate, each with the target URL. */
  onNavigation(listener: (kind: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string, prevent: () => void) => void): void;
  onAttachWebview(listener: (prevent: () => void) => void): void;
}

export interface WindowContentsLike {
  readonly mainFrame: FrameLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export type WindowEvent = 'closed' | 'ready-to-show' | 'resize' | 'move' | 'maximize' | 'unmaximize';

export interface WindowLike {
  readonly webContents: WindowContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rectangle;
  onClose(listener: (prevent: () => void) => void): void;
  on(event: WindowEvent, listener: () => void): void;
}

export interface TrayLike {
  setImage(icon: TrayIcon): void;
  setToolTip(text: string): void;
  setContextMenu(template: MenuItemConstructorOptions[]): void;
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface NotificationsLike {
  isSupported(): boolean;
  show(options: NotificationConstructorOptions, onClick: () => void): void;
}

export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend' | 'setUsePlainTextEncryption'
>;

export type PermissionRequestHandler = (permission: string, callback: (granted: boolean) => void) => void;

export interface SessionLike {
  setPermissionRequestHandler(handler: PermissionRequestHandler): void;
  setPermissionCheckHandler(handler: (permission: string) => boolean): void;
  onBeforeRequest(
    listener: (details: Pick<OnBeforeRequestListenerDetails, 'url' | 'resourceType'>, callback: (response: CallbackResponse) => void) => void,
  ): void;
  onHeadersReceived(
    listener: (
      details: Pick<OnHeadersReceivedListenerDetails, 'url' | 'resourceType' | 'responseHeaders'>,
      callback: (response: HeadersReceivedResponse) => void,
    ) => void,
  ): void;
}

export interface AppLike {
  readonly isPackaged: boolean;
  quit(): void;
  onBeforeQuit(listener: () => void): void;
  onActivate(listener: () => void): void;
  onSecondInstance(listener: () => void): void;
  onWindowAllClosed(listener: () => void): void;
  onWebContentsCreated(listener: (contents: GuardableContents) => void): void;
}

export interface ShellFacade {
  readonly platform: NodeJS.Platform;
  readonly app: AppLike;
  createWindow(options: BrowserWindowConstructorOptions): WindowLike;
  createTray(icon: TrayIcon): TrayLike;
  readonly notifications: NotificationsLike;
  readonly ipc: IpcMainLike;
  readonly safeStorage: SafeStorageLike;
  readonly session: SessionLike;
  readonly screen: { getAllDisplays(): Pick<Display, 'workArea'>[] };
  /** JSON state files in the app's userData directory (window state, settings, kill switch, credentials). */
  readonly stateFiles: StateFiles;
  /** Serves our renderer on app:// (`protocol.handle`); the scheme is registered privileged before ready. */
  handleAppProtocol(handler: (request: { url: string; method: string }) => Promise<Response>): void;
}
