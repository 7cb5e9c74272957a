import { describe, expect, it } from 'vitest';
import { createPreloadApi, type IpcRendererLike } from '../../../src/preload/api';
import { IPC } from '../../../src/shared/electron-ipc';

function fakeIpc() {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const sent: unknown[][] = [];
  const invoked: unknown[][] = [];
  const ipc = {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return { ok: true, result: {} };
    },
    send: (...args: unknown[]) => void sent.push(args),
    on(channel: string, l: (...args: unknown[]) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return this;
    },
    off(channel: string, l: (...args: unknown[]) => void) {
      listeners.get(channel)?.delete(l);
      return this;
    },
  };
  const emit = (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l(...args));
  return { ipc: ipc as unknown as IpcRendererLike, emit, sent, invoked, count: (c: string) => listeners.get(c)?.size ?? 0 };
}

describe('preload api', () => {
  it('exposes exactly the contract: invoke, onEvent, resync, onNavigate — frozen', () => {
    const api = createPreloadApi(fakeIpc().ipc);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent', 'onNavigate', 'resync']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invokes only the command channel and sends resync on its channel', async () => {
    const f = fakeIpc();
    const api = createPreloadApi(f.ipc);
    await api.invoke('stream.start', {});
    api.resync();
    expect(f.invoked).toEqual([[IPC.command, 'stream.start', {}]]);
    expect(f.sent).toEqual([[IPC.resync]]);
  });

  it('hands listeners the payload only — never the IpcRendererEvent — and unsubscribes', () => {
    const f = fakeIpc();
    const api = createPreloadApi(f.ipc);
    const got: unknown[][] = [];
    const off = api.onEvent((...args: unknown[]) => void got.push(args));
    const offNav = api.onNavigate((...args: unknown[]) => void got.push(args));
    const fakeEvent = { sender: { send: () => {} } };
    f.emit(IPC.event, fakeEvent, { type: 'health_event', seq: 1 });
    f.emit(IPC.navigate, fakeEvent, { view: 'portfolio', alertId: 'a1' });
    expect(got).toEqual([[{ type: 'health_event', seq: 1 }], [{ view: 'portfolio', alertId: 'a1' }]]);
    off();
    offNav();
    expect(f.count(IPC.event)).toBe(0);
    expect(f.count(IPC.navigate)).toBe(0);
  });
});
