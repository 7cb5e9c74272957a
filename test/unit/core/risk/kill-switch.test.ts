import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { MemoryKillSwitchStore, type KillSwitchStore } from '../../../../src/core/ports/kill-switch-store';
import { ALL_ACCOUNTS, KillSwitch, KillSwitchError, levelAllows } from '../../../../src/core/risk/kill-switch';
import type { Logger } from '../../../../src/core/ports/logger';

function capture(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('KillSwitch', () => {
  it('grades what each level lets through', () => {
    expect(['open', 'reduce', 'cancel'].map((i) => levelAllows('active', i as 'open'))).toEqual([true, true, true]);
    expect(['open', 'reduce', 'cancel'].map((i) => levelAllows('reducing', i as 'open'))).toEqual([false, true, true]);
    expect(['open', 'reduce', 'cancel'].map((i) => levelAllows('halted', i as 'open'))).toEqual([false, false, true]);
  });

  it('tightens freely, persists, and survives a restart', () => {
    const store = new MemoryKillSwitchStore();
    const clock = new ManualClock(1000);
    const ks = new KillSwitch({ store, clock, logger: capture() });
    expect(ks.levelOf('acct-1')).toBe('active');
    const r = ks.set('acct-1', 'reducing', { reason: 'drawdown limit' });
    expect(r.change).toMatchObject({ from: 'active', to: 'reducing', rearm: false, at: 1000 });
    expect(r.persisted).toBe(true);
    ks.set('acct-1', 'halted', { reason: 'manual' });
    const again = new KillSwitch({ store, clock, logger: capture() });
    expect(again.levelOf('acct-1')).toBe('halted');
    expect(again.allows('acct-1', 'reduce')).toBe(false);
    expect(again.allows('acct-1', 'cancel')).toBe(true);
  });

  it('refuses to re-arm without an explicit rearm flag, and logs a deliberate re-arm', () => {
    const logger = capture();
    const ks = new KillSwitch({ store: new MemoryKillSwitchStore(), clock: new ManualClock(), logger });
    ks.set('a', 'halted', { reason: 'stop' });
    expect(() => ks.set('a', 'active', { reason: 'back' })).toThrow(/deliberate act.*rearm: true/);
    expect(ks.levelOf('a')).toBe('halted');
    expect(() => ks.set('a', 'active', { reason: '   ', rearm: true })).toThrow(KillSwitchError);
    const r = ks.set('a', 'active', { reason: 'checked positions', rearm: true });
    expect(r.change?.rearm).toBe(true);
    expect(ks.levelOf('a')).toBe('active');
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'kill switch re-armed', fields: expect.objectContaining({ account: 'a', reason: 'checked positions' }) }));
  });

  it('the global scope halts every account, including ones seen later; re-arming it restores each own level', () => {
    const ks = new KillSwitch({ store: new MemoryKillSwitchStore(), clock: new ManualClock(), logger: capture() });
    ks.set('a', 'reducing', { reason: 'x' });
    ks.set(ALL_ACCOUNTS, 'halted', { reason: 'tray: halt all automation' });
    expect(ks.levelOf('a')).toBe('halted');
    expect(ks.levelOf('never-seen')).toBe('halted');
    ks.set(ALL_ACCOUNTS, 'active', { reason: 'resume', rearm: true });
    expect(ks.levelOf('a')).toBe('reducing');
    expect(ks.levelOf('never-seen')).toBe('active');
    expect(ks.view().global.level).toBe('active');
    expect(ks.view().accounts.map((e) => e.account)).toEqual(['a']);
  });

  it('setting the level already in force is a no-op (no save, no listener call)', () => {
    const store = new MemoryKillSwitchStore();
    const ks = new KillSwitch({ store, clock: new ManualClock(), logger: capture() });
    let calls = 0;
    ks.onChange(() => calls++);
    expect(ks.set('a', 'active', { reason: 'r' }).change).toBeNull();
    expect(store.saves).toBe(0);
    ks.set('a', 'halted', { reason: 'r' });
    expect(calls).toBe(1);
  });

  it('fails closed when the stored state cannot be read', () => {
    const broken: KillSwitchStore = {
      load: () => {
        throw new Error('kill-switch.json: not valid JSON');
      },
      save: () => {},
    };
    const logger = capture();
    const ks = new KillSwitch({ store: broken, clock: new ManualClock(5), logger });
    expect(ks.levelOf('any')).toBe('halted');
    expect(ks.view().global.reason).toContain('not valid JSON');
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('a tightening that cannot be saved still takes effect; a re-arm that cannot be saved is refused', () => {
    let failing = false;
    const inner = new MemoryKillSwitchStore();
    const store: KillSwitchStore = {
      load: () => inner.load(),
      save: (r) => {
        if (failing) throw new Error('disk full');
        inner.save(r);
      },
    };
    const logger = capture();
    const ks = new KillSwitch({ store, clock: new ManualClock(), logger });
    failing = true;
    const r = ks.set('a', 'halted', { reason: 'stop' });
    expect(r.persisted).toBe(false);
    expect(ks.levelOf('a')).toBe('halted');
    expect(logger.lines.some((l) => l.level === 'error' && l.msg.includes('could not be saved'))).toBe(true);
    expect(() => ks.set('a', 'active', { reason: 'go', rearm: true })).toThrow(/not applied.*disk full/);
    expect(ks.levelOf('a')).toBe('halted');
  });
});
