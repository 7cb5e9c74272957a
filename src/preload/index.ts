// Exposes the contract as window.api — no logic here; the main process validates everything.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandOutcome, DeskEvent, PreloadApi } from '../shared/contract';

const api: PreloadApi = {
  invoke: (name, payload) => ipcRenderer.invoke('desk:command', name, payload) as Promise<CommandOutcome>,
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, event: DeskEvent) => listener(event);
    ipcRenderer.on('desk:event', handler);
    return () => ipcRenderer.off('desk:event', handler);
  },
  resync: () => ipcRenderer.send('desk:resync'),
};

contextBridge.exposeInMainWorld('api', api);
