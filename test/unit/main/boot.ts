/** Starts the real shell against the fake facade, with a manual clock. */
import { ManualClock } from '../../../src/core/ports/clock';
import { startShell, type Shell, type ShellOptions } from '../../../src/main/shell';
import { APP_ENTRY_URL } from '../../../src/main/security';
import { IPC } from '../../../src/shared/electron-ipc';
import type { CommandOutcome } from '../../../src/shared/contract';
import { FakeFacade, captureLogger, type FakeFrame, type FakeWindow } from './fake-electron';

export interface Booted {
  facade: FakeFacade;
  shell: Shell;
  clock: ManualClock;
  logger: ReturnType<typeof captureLogger>;
  win: FakeWindow;
  /** The renderer's main frame, after it loaded our page. */
  frame: FakeFrame;
  invoke(name: unknown, payload?: unknown, frame?: FakeFrame | null): Promise<CommandOutcome>;
}

export async function boot(
  prepare: (facade: FakeFacade) => void = () => {},
  opts: Partial<ShellOptions> = {},
): Promise<Booted> {
  const facade = new FakeFacade();
  prepare(facade);
  const clock = new ManualClock(1_700_000_000_000);
  const logger = captureLogger();
  const shell = startShell(facade, {
    preloadPath: '/app/out/preload/index.cjs',
    rendererDir: '/app/out/renderer',
    clock,
    logger,
    ...opts,
  });
  const win = facade.window;
  await Promise.resolve();
  if (win.loadedUrl !== (opts.rendererUrl && !facade.app.isPackaged ? opts.rendererUrl : APP_ENTRY_URL)) {
    throw new Error(`window loaded ${win.loadedUrl}`);
  }
  win.emit('ready-to-show');
  return {
    facade,
    shell,
    clock,
    logger,
    win,
    frame: win.webContents.mainFrame,
    invoke: (name, payload = {}, frame = win.webContents.mainFrame) =>
      facade.ipc.invoke(IPC.command, frame, name, payload) as Promise<CommandOutcome>,
  };
}
