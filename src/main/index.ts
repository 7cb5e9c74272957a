// Electron composition root: builds the desk through src/node/desk.ts and bridges it to the window.
import { app, BrowserWindow, ipcMain, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { join } from 'node:path';
import { createDesk } from '../node/desk';
import { SystemClock } from '../node/system-clock';
import { createConsoleLogger } from '../node/console-logger';
import type { DeskEvent } from '../shared/contract';

const logger = createConsoleLogger('info');
const desk = createDesk({ clock: new SystemClock(), logger });
let win: BrowserWindow | null = null;

function isOurFrame(frame: WebFrameMain | null): boolean {
  return frame !== null && win !== null && frame === win.webContents.mainFrame;
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.mjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.on('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

ipcMain.handle('desk:command', (event: IpcMainInvokeEvent, name: unknown, payload: unknown) => {
  if (!isOurFrame(event.senderFrame)) return { ok: false, error: { code: 'unauthorized', message: 'unexpected sender' } };
  return desk.handle(name, payload);
});
ipcMain.on('desk:resync', (event) => {
  if (!isOurFrame(event.senderFrame)) return;
  const snapshot: DeskEvent = { type: 'snapshot', seq: desk.lastSeq, serverTime: Date.now(), snapshot: desk.snapshot() };
  event.sender.send('desk:event', snapshot);
});
desk.subscribe((event) => win?.webContents.send('desk:event', event));

void app.whenReady().then(createWindow);
app.on('window-all-closed', () => {
  desk.dispose();
  app.quit();
});
