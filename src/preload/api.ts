/**
 * Builds `window.api` from an ipcRenderer-like object. Kept free of any runtime import so it can be
 * tested without Electron; `index.ts` passes the real ipcRenderer. Two rules from Electron's
 * security guide: expose narrow functions (never ipcRenderer itself, never a generic
 * send/on(channel)), and never hand the IpcRendererEvent to page code (its `sender` is ipcRenderer).
 */
import type { IpcRenderer } from 'electron';
import type { CommandOutcome, DeskEvent, NavigationRequest, PreloadApi } from '../shared/contract';
import { IPC } from '../shared/electron-ipc';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'off'>;

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  const subscribe = <T>(channel: string, listener: (payload: T) => void): (() => void) => {
    const handler = (_event: unknown, payload: T) => listener(payload);
    ipc.on(channel, handler);
    return () => {
      ipc.off(channel, handler);
    };
  };
  return Object.freeze({
    invoke: (name: string, payload: unknown) => ipc.invoke(IPC.command, name, payload) as Promise<CommandOutcome>,
    onEvent: (listener: (event: DeskEvent) => void) => subscribe(IPC.event, listener),
    resync: () => ipc.send(IPC.resync),
    onNavigate: (listener: (request: NavigationRequest) => void) => subscribe(IPC.navigate, listener),
  });
}
