import { describe, expect, it } from 'vitest';
import { deriveTrayView, deskModeOf, notificationModeLabel, pnlText, TOOLTIP_MAX, type TrayInput } from '../../../../src/core/shell/tray-state';

const base: TrayInput = {
  now: 100_000,
  streaming: true,
  mode: 'SIM',
  streams: [{ name: 'sim', state: 'running', lastError: null, lastEventAt: 99_800 }],
  feedStaleAfterMs: 10_000,
  totalPnl: undefined,
  killSwitch: 'active',
};

describe('deriveTrayView', () => {
  it('icon follows state: stopped, running, stale, error, session needed, LIVE armed', () => {
    expect(deriveTrayView({ ...base, streaming: false, streams: [{ ...base.streams[0]!, state: 'not_started' }] }).icon).toBe('stopped');
    expect(deriveTrayView(base).icon).toBe('running');
    expect(deriveTrayView({ ...base, streams: [{ ...base.streams[0]!, lastEventAt: 80_000 }] }).icon).toBe('degraded');
    expect(deriveTrayView({ ...base, streams: [{ ...base.streams[0]!, state: 'error', lastError: 'boom' }] }).icon).toBe('degraded');
    expect(deriveTrayView({ ...base, streams: [{ ...base.streams[0]!, state: 'session_needed' }] }).icon).toBe('degraded');
    expect(deriveTrayView({ ...base, mode: 'LIVE' }).icon).toBe('live');
    // a feed problem outranks LIVE; the tooltip still says LIVE
    const liveStale = deriveTrayView({ ...base, mode: 'LIVE', streams: [{ ...base.streams[0]!, lastEventAt: 0 }] });
    expect(liveStale.icon).toBe('degraded');
    expect(liveStale.tooltip).toContain('LIVE armed');
    // a stopped desk is not "stale"
    expect(deriveTrayView({ ...base, streaming: false, streams: [{ ...base.streams[0]!, lastEventAt: 0 }] }).icon).toBe('stopped');
  });

  it('tooltip carries mode, feed state and total P&L (— when absent or unknown)', () => {
    expect(deriveTrayView(base).tooltip).toBe('Live Desk — SIM · feed live · P&L —');
    expect(deriveTrayView({ ...base, totalPnl: '1234.50' }).tooltip).toBe('Live Desk — SIM · feed live · P&L +1234.50');
    expect(deriveTrayView({ ...base, totalPnl: '-17.25', mode: 'PAPER' }).tooltip).toBe('Live Desk — PAPER · feed live · P&L -17.25');
    expect(deriveTrayView({ ...base, totalPnl: null }).tooltip).toContain('P&L — (no fresh mark)');
    const stale = deriveTrayView({ ...base, streams: [{ ...base.streams[0]!, lastEventAt: 88_000 }] });
    expect(stale.tooltip).toContain('sim stale 12 s');
    expect(deriveTrayView({ ...base, killSwitch: 'halted' }).tooltip).toContain('automation HALTED');
    // the menu headline is coarse: it does not change with every second of age or every P&L tick
    expect(stale.headline).toBe('SIM · feed stale');
    expect(deriveTrayView({ ...base, totalPnl: '5.00', killSwitch: 'halted' }).headline).toBe('SIM · feed live · automation HALTED');
  });

  it('never shows a non-decimal as money and never shows unknown as zero', () => {
    expect(pnlText('abc')).toBe('P&L —');
    expect(pnlText('0')).toBe('P&L 0');
    expect(pnlText('0.00')).toBe('P&L 0.00');
    expect(pnlText(null)).not.toContain('0');
  });

  it('keeps the tooltip within the Windows limit with the worst stream first', () => {
    const streams = [
      { name: 'alpaca', state: 'running' as const, lastError: null, lastEventAt: 99_900 },
      { name: 'smartapi', state: 'error' as const, lastError: 'x'.repeat(300), lastEventAt: null },
      { name: 'delta', state: 'reconnecting' as const, lastError: null, lastEventAt: null },
    ];
    const v = deriveTrayView({ ...base, streams, totalPnl: '12.00', killSwitch: 'reducing' });
    expect(v.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(v.tooltip).toMatch(/^Live Desk — SIM · smartapi error: x+… \(\+1 more\) · P&L \+12\.00/);
  });

  it('menu state: start when stopped, stop when streaming, kill switch disabled once halted', () => {
    expect(deriveTrayView({ ...base, streaming: false })).toMatchObject({ canStart: true, canStop: false, halted: false });
    expect(deriveTrayView({ ...base, killSwitch: 'halted' })).toMatchObject({ canStart: false, canStop: true, halted: true });
  });
});

describe('deriveTrayView with trading modes (issue 16)', () => {
  it('says monitor or TRADE beside the venue mode; LIVE is "armed" only when it trades', () => {
    expect(deriveTrayView({ ...base, trading: 'monitor' }).tooltip).toContain('SIM · monitor');
    expect(deriveTrayView({ ...base, trading: 'trade' }).tooltip).toContain('SIM · TRADE');
    expect(deriveTrayView({ ...base, mode: 'PAPER', trading: 'trade' }).headline).toContain('PAPER · TRADE');
    const liveMonitor = deriveTrayView({ ...base, mode: 'LIVE', trading: 'monitor' });
    expect(liveMonitor.tooltip).toContain('LIVE · monitor');
    expect(liveMonitor.tooltip).not.toContain('armed');
    expect(deriveTrayView({ ...base, mode: 'LIVE', trading: 'trade' }).tooltip).toContain('LIVE armed · TRADE');
  });

  it('reports Reducing so the tray can offer only tighter levels', () => {
    expect(deriveTrayView({ ...base, killSwitch: 'reducing' }).reducing).toBe(true);
    expect(deriveTrayView({ ...base, killSwitch: 'reducing' }).tooltip).toContain('automation REDUCING');
    expect(deriveTrayView(base).reducing).toBe(false);
  });
});

describe('the mode the tray and notifications name, over every account (issue 16, spec §2)', () => {
  const a = (venue_mode: 'SIM' | 'PAPER' | 'LIVE', mode: 'monitor' | 'trade') => ({ venue_mode, mode });
  it('a LIVE account trading beside a SIM default says LIVE armed · TRADE, not SIM', () => {
    const m = deskModeOf('SIM', [a('SIM', 'monitor'), a('LIVE', 'trade')]);
    expect(m).toEqual({ mode: 'LIVE', trading: 'trade' });
    expect(notificationModeLabel(m)).toBe('LIVE armed · TRADE');
    expect(deriveTrayView({ ...base, ...m }).tooltip).toContain('LIVE armed · TRADE');
  });
  it('while none trades, the strongest held venue mode in Monitor; only the trading accounts count while one trades', () => {
    expect(deskModeOf('SIM', [a('SIM', 'monitor'), a('LIVE', 'monitor')])).toEqual({ mode: 'LIVE', trading: 'monitor' });
    expect(deskModeOf('SIM', [a('SIM', 'trade'), a('LIVE', 'monitor')])).toEqual({ mode: 'SIM', trading: 'trade' });
    expect(notificationModeLabel({ mode: 'PAPER', trading: 'trade' })).toBe('PAPER · TRADE');
    expect(notificationModeLabel({ mode: 'SIM', trading: 'monitor' })).toBe('SIM');
    expect(deskModeOf('PAPER', undefined)).toEqual({ mode: 'PAPER' });
  });
});
