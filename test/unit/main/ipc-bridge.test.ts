import { describe, expect, it, vi } from 'vitest';
import { boot } from './boot';
import { FakeFrame } from './fake-electron';
import { IPC } from '../../../src/shared/electron-ipc';
import type { DeskEvent } from '../../../src/shared/contract';

describe('IPC bridge', () => {
  it('runs a valid command from our renderer and forwards desk events to it', async () => {
    const { invoke, win, shell } = await boot();
    const r = await invoke('stream.start', {});
    expect(r).toEqual({ ok: true, result: { streaming: true } });
    const events = win.webContents.payloads(IPC.event) as DeskEvent[];
    expect(events.map((e) => e.type)).toContain('health_event');
    shell.desk.stop();
  });

  it('refuses a message from an unexpected sender without reaching the desk', async () => {
    const { invoke, win, shell, logger, facade } = await boot();
    const handle = vi.spyOn(shell.desk, 'handle');
    const main = win.webContents.mainFrame;
    const senders: (FakeFrame | null)[] = [
      null,
      new FakeFrame('app://desk/index.html', main.processId, 5, main), // a subframe of our window
      new FakeFrame('app://desk/index.html', main.processId + 1, 1), // another renderer process
      new FakeFrame('https://evil.example/', main.processId + 1, 1),
    ];
    for (const frame of senders) {
      expect(await invoke('stream.start', {}, frame)).toEqual({ ok: false, error: { code: 'unauthorized', message: 'unexpected sender' } });
    }
    // our own main frame after it was navigated somewhere else
    main.url = 'https://evil.example/';
    expect(await invoke('stream.start', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    main.url = 'app://desk/index.html';
    // resync from a stranger gets nothing
    const before = win.webContents.sent.length;
    facade.ipc.send(IPC.resync, new FakeFrame('https://evil.example/', 999, 1));
    expect(win.webContents.sent.length).toBe(before);
    expect(handle).not.toHaveBeenCalled();
    const refusals = logger.lines.filter((l) => l.msg === 'ipc refused: unexpected sender');
    expect(refusals.length).toBe(senders.length + 2);
    expect(refusals.map((l) => l.fields?.origin)).toContain('https://evil.example');
  });

  it('refuses bad payloads with the contract error and never calls the desk', async () => {
    const { invoke, shell, facade, frame } = await boot();
    const handle = vi.spyOn(shell.desk, 'handle');
    expect(await invoke('stream.explode', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await invoke('stream.start', { force: true })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await invoke('killswitch.set', { account: '*', level: 'off', reason: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', issues: expect.arrayContaining([expect.objectContaining({ path: 'level' })]) },
    });
    expect(await invoke(42, {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await facade.ipc.invoke(IPC.command, frame, 'stream.start', {}, 'extra')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await facade.ipc.invoke(IPC.command, frame)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(handle).not.toHaveBeenCalled();
  });

  it('answers resync from our renderer with a snapshot at the current seq', async () => {
    const { invoke, facade, frame, win } = await boot();
    await invoke('killswitch.set', { account: 'default', level: 'reducing', reason: 'test' });
    facade.ipc.send(IPC.resync, frame);
    const last = win.webContents.payloads(IPC.event).at(-1) as DeskEvent;
    expect(last.type).toBe('snapshot');
    expect(last.seq).toBe(3); // killswitch_event + trading_event (the level in force, issue 16) + alert
    if (last.type === 'snapshot') expect(last.snapshot.killSwitch?.accounts[0]).toMatchObject({ account: 'default', level: 'reducing' });
  });

  it('accepts the loopback dev server in development', async () => {
    const { invoke, shell } = await boot(() => {}, { rendererUrl: 'http://localhost:5173/' });
    expect(await invoke('snapshot.get', {})).toMatchObject({ ok: true });
    expect(shell.origins.devServer).toBe('http://localhost:5173');
  });
});
