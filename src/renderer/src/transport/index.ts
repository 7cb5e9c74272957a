import type { PreloadApi, Transport } from '@shared/contract';
import { ElectronTransport } from './electron-transport';
import { SocketTransport } from './socket-transport';

declare global {
  interface Window {
    api?: PreloadApi;
  }
}

/** Picks the transport: Electron's preload API when present, else the headless desk's WebSocket. */
export function createTransport(): Transport {
  if (window.api) return new ElectronTransport(window.api);
  const token = new URLSearchParams(window.location.search).get('token');
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new SocketTransport(url);
}
