// The desk's kill switch, alert and credential commands (the shell and the renderer use these).
import { describe, expect, it } from 'vitest';
import { createDesk } from '../../../src/node/desk';
import { ManualClock } from '../../../src/core/ports/clock';
import { MemoryKillSwitchStore } from '../../../src/core/ports/kill-switch-store';
import { HeadlessCredentialVault, loadHeadlessCredentials } from '../../../src/node/credentials/headless';
import type { AlertEvent, DeskEvent, KillSwitchEvent } from '../../../src/shared/contract';

function setup(opts: Partial<Parameters<typeof createDesk>[0]> = {}) {
  const clock = new ManualClock(1_000_000);
  const desk = createDesk({ clock, ...opts });
  const events: DeskEvent[] = [];
  desk.subscribe((e) => events.push(e));
  return { clock, desk, events };
}

describe('desk kill switch commands', () => {
  it('killswitch.set halts, emits killswitch_event and a critical alert, and appears in snapshots', async () => {
    const store = new MemoryKillSwitchStore();
    const { desk, events } = setup({ killSwitchStore: store });
    const r = await desk.handle('killswitch.set', { account: '*', level: 'halted', reason: 'tray: halt all automation' });
    expect(r).toMatchObject({ ok: true, result: { changed: true, persisted: true, killSwitch: { global: { level: 'halted' } } } });
    const ks = events.find((e): e is KillSwitchEvent => e.type === 'killswitch_event')!;
    expect(ks.change).toMatchObject({ account: '*', from: 'active', to: 'halted', rearm: false });
    const alert = events.find((e): e is AlertEvent => e.type === 'alert')!;
    expect(alert).toMatchObject({ kind: 'kill_switch', severity: 'critical', title: 'Automation halted: all accounts' });
    // killswitch_event, then the trading state announced again with the level in force (issue 16), and the alert
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'killswitch_event'],
      [2, 'trading_event'],
      [3, 'alert'],
    ]);
    const trading = events.find((e) => e.type === 'trading_event');
    expect(trading?.type === 'trading_event' && trading.accounts.map((a) => [a.account, a.kill_switch])).toEqual([['default', 'halted']]);
    expect(desk.snapshot().killSwitch?.global.level).toBe('halted');
    expect(store.record?.entries[0]).toMatchObject({ account: '*', level: 'halted' });
    expect(await desk.handle('killswitch.get', {})).toMatchObject({ ok: true, result: { global: { level: 'halted' } } });
  });

  it('re-arming needs rearm: true; bad payloads name the field', async () => {
    const { desk } = setup();
    await desk.handle('killswitch.set', { account: 'default', level: 'halted', reason: 'manual' });
    const refused = await desk.handle('killswitch.set', { account: 'default', level: 'active', reason: 'resume' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'failed' } });
    if (!refused.ok) expect(refused.error.message).toContain('rearm: true');
    const ok = await desk.handle('killswitch.set', { account: 'default', level: 'active', reason: 'resume', rearm: true });
    expect(ok.ok).toBe(true);
    const bad = await desk.handle('killswitch.set', { account: '../x', level: 'off', reason: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.issues?.map((i) => i.path).sort()).toEqual(['account', 'level', 'reason']);
  });

  it('an account the desk does not hold is refused, naming it and the held ones (a typo must not report "halted")', async () => {
    const { desk } = setup();
    const r = await desk.handle('killswitch.set', { account: 'acct-1', level: 'halted', reason: 'manual' });
    expect(r).toMatchObject({ ok: false, error: { code: 'failed' } });
    if (!r.ok) expect(r.error.message).toBe('killswitch.set: the desk holds no account "acct-1" (it holds "default"; "*" is every account)');
    expect(desk.snapshot().killSwitch?.accounts ?? []).toEqual([]);
  });
});

describe('desk alerts', () => {
  it('emits alert events from the monitor hooks, in seq order with other events', async () => {
    const { desk, events } = setup();
    await desk.handle('stream.start', {});
    desk.alerts.forcedExit({ subject: 'pos-1', symbol: 'SPY', reason: 'time exit' });
    const alert = events.find((e): e is AlertEvent => e.type === 'alert')!;
    expect(alert).toMatchObject({ kind: 'forced_exit', severity: 'critical', subject: 'pos-1', serverTime: 1_000_000 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    desk.dispose();
  });

  it('stops its health timer with streaming (no timers left behind)', async () => {
    const { desk, clock } = setup();
    await desk.handle('stream.start', {});
    await desk.handle('stream.stop', {});
    expect(clock.pendingTimers()).toBe(0);
    desk.dispose();
  });
});

describe('desk credential commands', () => {
  it('reports status without values and refuses saves in headless mode', async () => {
    const secret = 'alpaca-secret-value-0001';
    const vault = new HeadlessCredentialVault(
      loadHeadlessCredentials({ env: { LIVE_DESK_ALPACA_KEY_ID: 'id-1', LIVE_DESK_ALPACA_SECRET_KEY: secret } }),
    );
    const { desk } = setup({ credentials: vault });
    const status = await desk.handle('credentials.status', {});
    expect(status).toMatchObject({ ok: true, result: { source: 'environment', writable: false } });
    expect(JSON.stringify(status)).not.toContain(secret);
    const save = await desk.handle('credentials.save', { venue: 'delta', fields: { apiKey: 'a', apiSecret: 'b' } });
    expect(save).toMatchObject({ ok: false, error: { code: 'failed' } });
  });

  it('says so when no credential store is configured', async () => {
    const { desk } = setup();
    const r = await desk.handle('credentials.status', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('no credential store');
  });
});

describe('session.reauthenticate (issue 12 item 9)', () => {
  it('is a typed command: validated payload, refuses another venue, a no-op when not streaming', async () => {
    const { desk } = setup();
    expect(await desk.handle('session.reauthenticate', {})).toEqual({ ok: true, result: { reauthenticating: false, venue: 'sim' } });
    expect(await desk.handle('session.reauthenticate', { venue: 'sim' })).toEqual({ ok: true, result: { reauthenticating: false, venue: 'sim' } });
    expect(await desk.handle('session.reauthenticate', { venue: 'alpaca' })).toEqual({ ok: false, error: { code: 'failed', message: 'cannot re-authenticate alpaca: the desk streams from sim' } });
    const bad = await desk.handle('session.reauthenticate', { venue: 'robinhood' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await desk.handle('session.reauthenticate', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
