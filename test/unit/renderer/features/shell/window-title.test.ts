import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { windowTitle } from '../../../../../src/renderer/src/features/shell/window-title';
import { contentSecurityPolicy } from '../../../../../src/main/security';
import type { PnlSnapshotWire, PnlTotalsWire } from '../../../../../src/shared/contract';

const t = (currency: string, total: string | null): PnlTotalsWire =>
  ({ currency, currency_decimals: 2, realized_pnl: '0', realized_gross: '0', fees: '0', unrealized_pnl: total, unrealized_known: '0', unknown_count: total === null ? 1 : 0, unknown: [], total_pnl: total, open_positions: 1 }) as PnlTotalsWire;
const snap = (...totals: PnlTotalsWire[]): PnlSnapshotWire => ({ as_of: 1, totals }) as PnlSnapshotWire;

describe('window title', () => {
  it('carries the mode and the total P&L, with a typographic minus', () => {
    expect(windowTitle('SIM', snap(t('USD', '-1185')))).toBe('SIM · −1,185.00 · Live Desk');
    expect(windowTitle('LIVE', snap(t('USD', '42.004')))).toBe('LIVE · +42.00 · Live Desk');
    expect(windowTitle('PAPER', snap(t('USD', '0')))).toBe('PAPER · 0.00 · Live Desk');
  });
  it('names the currency when there are several', () => {
    expect(windowTitle('SIM', snap(t('INR', '200'), t('USD', '-3.5')))).toBe('SIM · INR +200.00 · USD −3.50 · Live Desk');
  });
  it('says STALE when a total is unknown (never a comfortable number)', () => {
    expect(windowTitle('SIM', snap(t('USD', null)))).toBe('SIM · STALE · Live Desk');
    expect(windowTitle('SIM', snap(t('USD', '5'), t('INR', null)))).toBe('SIM · STALE · Live Desk');
  });
  it('before the first snapshot: the app name; no positions: the mode', () => {
    expect(windowTitle(null, null)).toBe('Live Desk');
    expect(windowTitle('SIM', snap())).toBe('SIM · Live Desk');
  });
});

describe('favicon', () => {
  it('index.html links one, and both content security policies allow loading it (img-src self)', () => {
    const html = readFileSync(resolve(import.meta.dirname, '../../../../../src/renderer/index.html'), 'utf8');
    expect(html).toMatch(/<link rel="icon" type="image\/svg\+xml" href="\.\/favicon\.svg" \/>/);
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]!;
    expect(meta).toMatch(/img-src 'self'/);
    expect(contentSecurityPolicy({ devServer: null } as Parameters<typeof contentSecurityPolicy>[0])).toMatch(/img-src 'self'/);
  });
});
