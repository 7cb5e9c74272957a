/**
 * A scripted session with real credentials flowing through the shell: whatever happens, the
 * secret values never reach the renderer (events, replies, navigation), the logs, the tray or a
 * notification — and they are still there for the venue adapters that need them.
 */
import { describe, expect, it } from 'vitest';
import { boot } from './boot';
import { IPC } from '../../../src/shared/electron-ipc';
import { FakeFrame } from './fake-electron';

const SECRETS = {
  alpacaKeyId: 'PKTEST-KEYID-91a7c3',
  alpacaSecret: 'sekret-alpaca-4f9e2b7d1c',
  smartPin: '927461',
  smartTotp: 'JBSWY3DPEHPK3PXPTOTPSEED',
  deltaSecret: 'delta-hmac-secret-6d2a90',
};
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('secrets never reach the renderer or the logs', () => {
  it('holds over a scripted session', async () => {
    const b = await boot();
    const { invoke, facade, clock, shell } = b;

    // 1. the user saves credentials from the Settings page
    const saved = await invoke('credentials.save', { venue: 'alpaca', fields: { keyId: SECRETS.alpacaKeyId, secretKey: SECRETS.alpacaSecret } });
    expect(saved).toMatchObject({ ok: true, result: { source: 'os-keychain' } });
    await invoke('credentials.save', {
      venue: 'smartapi',
      fields: { apiKey: 'smart-app-key', clientCode: 'A123456', pin: SECRETS.smartPin, totpSecret: SECRETS.smartTotp },
    });
    // 2. malformed and hostile payloads carrying secrets
    await invoke('credentials.save', { venue: 'delta', fields: { apiKey: 'k', apiSecret: SECRETS.deltaSecret, extra: SECRETS.deltaSecret } });
    await invoke('credentials.save', { venue: 'delta', fields: { apiKey: SECRETS.deltaSecret } });
    await invoke('credentials.save', { venue: 'nowhere', fields: { apiKey: SECRETS.deltaSecret } });
    await invoke('credentials.save', { venue: 'alpaca', fields: { keyId: SECRETS.alpacaSecret, secretKey: SECRETS.alpacaSecret } }, new FakeFrame('https://evil.example/', 1, 1));
    await facade.ipc.invoke(IPC.command, b.frame, 'credentials.save', { venue: 'delta' }, SECRETS.deltaSecret);
    // 3. a refused save (keychain gone) with the secret in it
    facade.safeStorage.backend = 'basic_text';
    const refused = await invoke('credentials.save', { venue: 'delta', fields: { apiKey: 'k', apiSecret: SECRETS.deltaSecret } });
    expect(refused.ok).toBe(false);
    facade.safeStorage.backend = 'gnome_libsecret';
    // 4. normal use: status, streaming, resync, tray, kill switch, alerts, notification clicks
    await invoke('credentials.status', {});
    await invoke('stream.start', {});
    // The desk streams from the simulated venue over real loopback sockets, paced by the manual
    // clock: advance it until quotes have reached the renderer, so the scan has real traffic.
    for (let i = 0; i < 200 && facade.windows.flatMap((w) => w.webContents.sent).length <= 10; i++) {
      clock.advance(250);
      await new Promise((r) => setTimeout(r, 10));
    }
    facade.ipc.send(IPC.resync, b.frame);
    await invoke('snapshot.get', {});
    facade.tray.click('kill');
    await flush();
    shell.desk.alerts.entryFailed({ subject: 'run-1', symbol: 'SPY', method: 'limit', reason: 'rejected' });
    facade.notifications.shown.at(-1)!.onClick();
    await invoke('credentials.clear', { venue: 'smartapi' });
    await invoke('stream.stop', {});
    clock.advance(2000);
    facade.tray.click('quit');

    // What left the main process towards the renderer, the logs and the OS UI:
    const outbound = JSON.stringify({
      sent: facade.windows.flatMap((w) => w.webContents.sent),
      replies: facade.ipc.replies,
      tray: facade.trays.map((t) => ({ tooltip: t.tooltip, menu: t.template.map((i) => i.label) })),
      notifications: facade.notifications.shown.map((n) => n.options),
    });
    const logs = b.logger.text();
    expect(facade.windows.flatMap((w) => w.webContents.sent).length).toBeGreaterThan(10);
    expect(b.logger.lines.length).toBeGreaterThan(5);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(outbound.includes(value), `${name} reached the renderer/tray/notifications`).toBe(false);
      expect(logs.includes(value), `${name} reached the logs`).toBe(false);
    }
    // At rest: encrypted, not in the clear.
    const stored = [...facade.stateFiles.files.values()].join('\n');
    for (const value of Object.values(SECRETS)) expect(stored.includes(value)).toBe(false);
    // And still usable by the venue adapters.
    expect(shell.vault.get('alpaca')?.secretKey.reveal()).toBe(SECRETS.alpacaSecret);
    expect(shell.vault.get('smartapi')).toBeNull();
  });

  it('the scan can fail: a leak through an event would be caught', async () => {
    const b = await boot();
    b.shell.desk.alerts.raise({ severity: 'warning', kind: 'entry_failed', subject: null, title: 'oops', body: SECRETS.alpacaSecret });
    const outbound = JSON.stringify(b.win.webContents.sent);
    expect(outbound.includes(SECRETS.alpacaSecret)).toBe(true);
  });
});
