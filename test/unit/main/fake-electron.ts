/**
 * A fake of the shell's Electron facade (src/main/facade.ts): records what the shell does to
 * windows, the tray, notifications, IPC, the session and safeStorage, and lets tests play the
 * user, the renderer and the OS. No electron module is imported at runtime.
 */
import type { BrowserWindowConstructorOptions, CallbackResponse, HeadersReceivedResponse, MenuItemConstructorOptions, NotificationConstructorOptions, Rectangle } from 'electron';
import type {
  AppLike,
  FrameLike,
  GuardableContents,
  IpcEventLike,
  IpcMainLike,
  NotificationsLike,
  PermissionRequestHandler,
  SafeStorageLike,
  SessionLike,
  ShellFacade,
  TrayLike,
  WindowContentsLike,
  WindowEvent,
  WindowLike,
} from '../../../src/main/facade';
import type { TrayIcon } from '../../../src/core/shell/tray-state';
import { MemoryStateFiles } from '../../../src/node/state/state-dir';
import type { Logger } from '../../../src/core/ports/logger';

let nextProcessId = 100;

export class FakeFrame implements FrameLike {
  constructor(
    public url: string,
    public processId: number,
    public routingId: number,
    public parent: FrameLike | null = null,
  ) {}
}

export class FakeWebContents implements WindowContentsLike {
  readonly mainFrame: FakeFrame;
  /** Everything sent to this renderer, structured-cloned like Electron's IPC would. */
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;

  constructor() {
    this.mainFrame = new FakeFrame('about:blank', nextProcessId++, 1);
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  payloads(channel: string): unknown[] {
    return this.sent.filter((s) => s.channel === channel).map((s) => s.args[0]);
  }
}

export class FakeWindow implements WindowLike {
  readonly webContents = new FakeWebContents();
  readonly listeners = new Map<WindowEvent, (() => void)[]>();
  readonly closeListeners: ((prevent: () => void) => void)[] = [];
  loadedUrl: string | null = null;
  visible = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  focused = 0;
  bounds: Rectangle;

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    private readonly onDestroyed: (w: FakeWindow) => void,
  ) {
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
  }

  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused += 1;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }
  onClose(listener: (prevent: () => void) => void): void {
    this.closeListeners.push(listener);
  }
  on(event: WindowEvent, listener: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event)!.push(listener);
  }
  emit(event: WindowEvent): void {
    for (const l of this.listeners.get(event) ?? []) l();
  }

  /** The user clicks the close button. Returns whether the window really closed. */
  close(): boolean {
    let prevented = false;
    for (const l of this.closeListeners) l(() => (prevented = true));
    if (prevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    this.onDestroyed(this);
    return true;
  }
}

export class FakeTray implements TrayLike {
  icon: TrayIcon;
  readonly icons: TrayIcon[] = [];
  tooltip = '';
  template: MenuItemConstructorOptions[] = [];
  menuBuilds = 0;
  clickListener: (() => void) | null = null;
  destroyed = false;

  constructor(icon: TrayIcon) {
    this.icon = icon;
    this.icons.push(icon);
  }
  setImage(icon: TrayIcon): void {
    this.icon = icon;
    this.icons.push(icon);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(template: MenuItemConstructorOptions[]): void {
    this.template = template;
    this.menuBuilds += 1;
  }
  onClick(listener: () => void): void {
    this.clickListener = listener;
  }
  destroy(): void {
    this.destroyed = true;
  }
  item(id: string): MenuItemConstructorOptions {
    const it = this.template.find((i) => i.id === id);
    if (!it) throw new Error(`no tray menu item ${id}`);
    return it;
  }
  /** The user picks a menu item. */
  click(id: string): void {
    const it = this.item(id);
    if (it.enabled === false) throw new Error(`tray item ${id} is disabled`);
    (it.click as () => void)();
  }
}

export class FakeNotifications implements NotificationsLike {
  supported = true;
  readonly shown: { options: NotificationConstructorOptions; onClick: () => void }[] = [];
  isSupported(): boolean {
    return this.supported;
  }
  show(options: NotificationConstructorOptions, onClick: () => void): void {
    this.shown.push({ options, onClick });
  }
}

export class FakeIpc implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, ((event: IpcEventLike, ...args: unknown[]) => void)[]>();
  /** Every reply the main process gave (they travel to the renderer too). */
  readonly replies: unknown[] = [];

  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, []);
    this.listeners.get(channel)!.push(listener);
    return this;
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  removeAllListeners(channel?: string): this {
    if (channel === undefined) this.listeners.clear();
    else this.listeners.delete(channel);
    return this;
  }
  /** ipcRenderer.invoke from a frame. */
  async invoke(channel: string, frame: FrameLike | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    const reply = structuredClone(await h({ senderFrame: frame }, ...structuredClone(args)));
    this.replies.push(reply);
    return reply;
  }
  /** ipcRenderer.send from a frame. */
  send(channel: string, frame: FrameLike | null, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({ senderFrame: frame }, ...structuredClone(args));
  }
}

/** Reversible and never contains the plaintext (so a leak scan of stored files is meaningful). */
export class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']> = 'gnome_libsecret';
  plainTextForced = false;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
    return Buffer.from(Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a));
  }
  decryptString(encrypted: Buffer): string {
    return Buffer.from(encrypted.map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend(): ReturnType<SafeStorageLike['getSelectedStorageBackend']> {
    return this.backend;
  }
  setUsePlainTextEncryption(usePlainText: boolean): void {
    this.plainTextForced = usePlainText;
    if (usePlainText) {
      this.available = true;
      this.backend = 'basic_text';
    }
  }
}

export class FakeSession implements SessionLike {
  permissionRequest: PermissionRequestHandler | null = null;
  permissionCheck: ((permission: string) => boolean) | null = null;
  beforeRequest: Parameters<SessionLike['onBeforeRequest']>[0] | null = null;
  headersReceived: Parameters<SessionLike['onHeadersReceived']>[0] | null = null;

  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: (permission: string) => boolean): void {
    this.permissionCheck = handler;
  }
  onBeforeRequest(listener: Parameters<SessionLike['onBeforeRequest']>[0]): void {
    this.beforeRequest = listener;
  }
  onHeadersReceived(listener: Parameters<SessionLike['onHeadersReceived']>[0]): void {
    this.headersReceived = listener;
  }
  request(url: string): CallbackResponse {
    let out: CallbackResponse | null = null;
    this.beforeRequest!({ url, resourceType: 'script' }, (r) => (out = r));
    return out!;
  }
  headers(url: string, responseHeaders: Record<string, string[]>): HeadersReceivedResponse {
    let out: HeadersReceivedResponse | null = null;
    this.headersReceived!({ url, resourceType: 'mainFrame', responseHeaders }, (r) => (out = r));
    return out!;
  }
}

export class FakeContents implements GuardableContents {
  openHandler: Parameters<GuardableContents['setWindowOpenHandler']>[0] | null = null;
  navigation: Parameters<GuardableContents['onNavigation']>[0] | null = null;
  webview: ((prevent: () => void) => void) | null = null;
  setWindowOpenHandler(handler: Parameters<GuardableContents['setWindowOpenHandler']>[0]): void {
    this.openHandler = handler;
  }
  onNavigation(listener: Parameters<GuardableContents['onNavigation']>[0]): void {
    this.navigation = listener;
  }
  onAttachWebview(listener: (prevent: () => void) => void): void {
    this.webview = listener;
  }
}

class FakeApp implements AppLike {
  isPackaged = false;
  quitCalls = 0;
  readonly beforeQuit: (() => void)[] = [];
  readonly activate: (() => void)[] = [];
  readonly secondInstance: (() => void)[] = [];
  readonly windowAllClosed: (() => void)[] = [];
  readonly contentsCreated: ((c: GuardableContents) => void)[] = [];

  constructor(private readonly facade: FakeFacade) {}

  quit(): void {
    this.quitCalls += 1;
    for (const l of this.beforeQuit) l();
    for (const w of [...this.facade.windows]) if (!w.destroyed) w.close();
  }
  onBeforeQuit(l: () => void): void {
    this.beforeQuit.push(l);
  }
  onActivate(l: () => void): void {
    this.activate.push(l);
  }
  onSecondInstance(l: () => void): void {
    this.secondInstance.push(l);
  }
  onWindowAllClosed(l: () => void): void {
    this.windowAllClosed.push(l);
  }
  onWebContentsCreated(l: (c: GuardableContents) => void): void {
    this.contentsCreated.push(l);
  }
}

export class FakeFacade implements ShellFacade {
  platform: NodeJS.Platform = 'linux';
  readonly app = new FakeApp(this);
  readonly windows: FakeWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly notifications = new FakeNotifications();
  readonly ipc = new FakeIpc();
  readonly safeStorage = new FakeSafeStorage();
  readonly session = new FakeSession();
  displays: Rectangle[] = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  readonly screen = { getAllDisplays: () => this.displays.map((workArea) => ({ workArea })) };
  readonly stateFiles = new MemoryStateFiles();
  appProtocol: ((request: { url: string; method: string }) => Promise<Response>) | null = null;

  createWindow(options: BrowserWindowConstructorOptions): FakeWindow {
    const w = new FakeWindow(options, () => {
      if (this.windows.every((x) => x.destroyed)) for (const l of this.app.windowAllClosed) l();
    });
    this.windows.push(w);
    return w;
  }
  createTray(icon: TrayIcon): FakeTray {
    const t = new FakeTray(icon);
    this.trays.push(t);
    return t;
  }
  handleAppProtocol(handler: (request: { url: string; method: string }) => Promise<Response>): void {
    this.appProtocol = handler;
  }

  get tray(): FakeTray {
    return this.trays[this.trays.length - 1]!;
  }
  get window(): FakeWindow {
    return this.windows[this.windows.length - 1]!;
  }
}

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line, serialized as a console logger would write it. */
export function captureLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields: fields === undefined ? undefined : JSON.parse(JSON.stringify(fields)) });
  };
  return {
    lines,
    text: () => lines.map((l) => `${l.level} ${l.msg}${l.fields ? ` ${JSON.stringify(l.fields)}` : ''}`).join('\n'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
