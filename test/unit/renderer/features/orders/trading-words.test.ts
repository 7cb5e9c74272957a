import { describe, expect, it } from 'vitest';
import type { OrderWire, TradingStateWire } from '../../../../../src/shared/contract';
import { accountPhrase, killSwitchSummary, modeSummary, needsRearm, outcomeText, statusWord } from '../../../../../src/renderer/src/features/orders/trading-words';
import { modifyProblem, orderDraftProblem, type OrderDraft } from '../../../../../src/renderer/src/features/orders/order-draft';
import { accountOfPosition, exitablePositions, mergeHistory, sortOrders } from '../../../../../src/renderer/src/features/orders/orders-view';
import { lineNeedsAction, reconSummary } from '../../../../../src/renderer/src/features/orders/recon-words';

const acct = (over: Partial<TradingStateWire> = {}): TradingStateWire => ({
  account: 'default',
  mode: 'monitor',
  venue_mode: 'SIM',
  live_armed: false,
  since: null,
  kill_switch: 'active',
  automation_blocked: 'Monitor mode',
  ...over,
});

const order = (over: Partial<OrderWire> = {}): OrderWire => ({
  client_order_id: 'ld-1',
  account: 'default',
  symbol: 'SPY',
  side: 'buy',
  quantity: '1',
  order_type: 'limit',
  limit_price: '1.00',
  status: 'accepted',
  venue_order_id: 'v1',
  venue_client_order_id: 'ld-1',
  filled_quantity: '0',
  replace_count: 0,
  pending: null,
  reason: null,
  origin: 'manual',
  created_at: 1_000,
  updated_at: 1_000,
  stop_price: null, role: null, strategy: null, linked_client_order_id: null, archived_at: null, ...over,
});

describe('trading words', () => {
  it('the header says MONITOR until an account trades, and names LIVE when a live account trades', () => {
    expect(modeSummary([acct()]).label).toBe('MONITOR');
    expect(modeSummary([acct()]).trading).toBe(false);
    expect(modeSummary([acct({ mode: 'trade' })]).label).toBe('TRADE');
    expect(modeSummary([acct({ mode: 'trade', venue_mode: 'PAPER' }), acct({ account: 'b' })]).label).toBe('TRADE 1/2');
    expect(modeSummary([acct({ mode: 'trade', venue_mode: 'PAPER' }), acct({ account: 'b' })]).hint).toContain('default (PAPER)');
    const live = modeSummary([acct({ mode: 'trade', venue_mode: 'LIVE', live_armed: true })]);
    expect(live.label).toBe('TRADE · LIVE');
    expect(live.color).toBe('red');
  });

  it('the kill switch badge shows the strictest level in force, the global one included', () => {
    expect(killSwitchSummary([acct()], null).level).toBe('active');
    expect(killSwitchSummary([acct(), acct({ account: 'b', kill_switch: 'reducing' })], null).level).toBe('reducing');
    const view = { global: { account: '*', level: 'halted' as const, reason: 'x', changedAt: 1 }, accounts: [] };
    expect(killSwitchSummary([acct()], view).level).toBe('halted');
    expect(killSwitchSummary([acct({ kill_switch: 'reducing' })], null).hint).toContain('only orders that reduce exposure pass');
  });

  it('loosening is a re-arm; tightening is not', () => {
    expect(needsRearm('halted', 'active')).toBe(true);
    expect(needsRearm('reducing', 'active')).toBe(true);
    expect(needsRearm('halted', 'reducing')).toBe(true);
    expect(needsRearm('active', 'halted')).toBe(false);
    expect(needsRearm('reducing', 'halted')).toBe(false);
  });

  it('confirmations name the account, its venue mode and its trading mode', () => {
    expect(accountPhrase('default', 'SIM', 'trade')).toBe('account default (SIM, Trade mode)');
    expect(accountPhrase('acct2', 'LIVE', 'monitor')).toBe('account acct2 (LIVE, Monitor mode)');
  });

  it('each outcome class reads differently; unknown says it is never re-sent blindly', () => {
    expect(outcomeText({ kind: 'accepted', order: order() }).text).toBe('ld-1: accepted');
    expect(outcomeText({ kind: 'rejected', reason: 'insufficient buying power', http_status: 403, order: order({ status: 'rejected' }) }).text).toBe('rejected by the venue (HTTP 403): insufficient buying power');
    expect(outcomeText({ kind: 'unknown', reason: 'timeout', order: order({ status: 'unknown' }) }).text).toContain('never sends the order again blindly');
    expect(outcomeText({ kind: 'refused', cause: 'kill_switch', reason: 'kill switch Reducing on account default', order: null }).text).toBe('refused (kill switch): kill switch Reducing on account default');
  });

  it('status words flag an unknown command on a working order', () => {
    expect(statusWord(order({ status: 'unknown' }))).toBe('UNKNOWN');
    expect(statusWord(order({ pending: { kind: 'cancel', state: 'unknown', since: 1, attempts: 1 }, status: 'pending_cancel' }))).toBe('cancel sent · cancel unknown');
  });
});

describe('order drafts', () => {
  const ok: OrderDraft = { symbol: 'SPY', side: 'buy', quantity: '2', orderType: 'limit', limitPrice: '1.25', stopPrice: '', role: '' };
  it('names the field that is wrong', () => {
    expect(orderDraftProblem(ok)).toBeNull();
    expect(orderDraftProblem({ ...ok, symbol: ' ' })).toMatch(/^Symbol/);
    expect(orderDraftProblem({ ...ok, quantity: '0' })).toMatch(/^Quantity/);
    expect(orderDraftProblem({ ...ok, quantity: '-1' })).toMatch(/^Quantity/);
    expect(orderDraftProblem({ ...ok, quantity: '1e3' })).toMatch(/^Quantity/);
    expect(orderDraftProblem({ ...ok, limitPrice: '' })).toMatch(/^Limit price/);
    expect(orderDraftProblem({ ...ok, orderType: 'market', limitPrice: '' })).toBeNull();
  });
  it('a modify needs a change and valid numbers', () => {
    expect(modifyProblem('', '')).toMatch(/new quantity or limit price/);
    expect(modifyProblem('3', '')).toBeNull();
    expect(modifyProblem('', 'abc')).toMatch(/^Limit price/);
  });
});

describe('orders view', () => {
  it('unknown outcomes first, then newest first', () => {
    const a = order({ client_order_id: 'a', created_at: 1 });
    const b = order({ client_order_id: 'b', created_at: 3 });
    const c = order({ client_order_id: 'c', created_at: 2, status: 'unknown' });
    expect(sortOrders([a, b, c]).map((o) => o.client_order_id)).toEqual(['c', 'b', 'a']);
  });
  it('merges stored and live history once each, in seq order', () => {
    const h = (seq: number) => ({ seq, client_order_id: 'a', at: seq, kind: 'update' as const, command: null, from_status: null, to_status: 'accepted' as const, reason: null, detail: null });
    expect(mergeHistory([h(1), h(3)], [h(3), h(2), h(4)]).map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  });
  it('a venue position belongs to its account; a portfolio position to none', () => {
    expect(accountOfPosition({ position_id: 'venue:SPY', source: 'fills' })).toBe('default');
    expect(accountOfPosition({ position_id: 'acct2:SPY', source: 'fills' })).toBe('acct2');
    expect(accountOfPosition({ position_id: 'venue:SPY', source: 'portfolio' })).toBeNull();
  });
  it("exit rows: the account's venue positions, plus what the account fills report (a fill merged into a file position)", () => {
    const rec = (over: Record<string, unknown>) => ({ key: 'k', position_id: 'venue:SPY', source: 'fills', status: 'OPEN', side: 'LONG', symbol: 'SPY', quantity_remaining: '2.000000000', ...over }) as never;
    const pnl = (symbol: string, quantity: string) => ({ symbol, ours: { quantity, avg_price: '1', realized: '0', unrealized: null, fees: '0' }, broker: null, difference: null, explanation: [] });
    const rows = exitablePositions([rec({}), rec({ position_id: 'acct2:QQQ', symbol: 'QQQ' }), rec({ position_id: 'venue:IWM', symbol: 'IWM', status: 'CLOSED' })], [pnl('SPY', '5'), pnl('AAPL', '-3.5'), pnl('MSFT', '0')], 'default');
    expect(rows).toEqual([
      { symbol: 'AAPL', side: 'SHORT', quantity: '3.5' },
      { symbol: 'SPY', side: 'LONG', quantity: '2' },
    ]);
  });
});

describe('reconciliation words', () => {
  const recon = { account: 'default', at: 1, error: null, trigger: 'start' as const, pnl: [] };
  it('a missing broker report is not flat; open lines block automation', () => {
    expect(reconSummary(null)).toMatch(/Not reconciled yet/);
    expect(reconSummary({ ...recon, status: 'unavailable', error: 'HTTP 500', lines: [] })).toContain('a missing report is not "flat"');
    const line = { id: 'position:SPY', subject: 'position' as const, kind: 'broker_only' as const, symbol: 'SPY', client_order_id: null, broker: { quantity: '5', price: '1' }, ledger: null, resolution: null, note: null };
    expect(lineNeedsAction(line)).toBe(true);
    expect(lineNeedsAction({ ...line, resolution: 'adopt_broker' })).toBe(false);
    expect(reconSummary({ ...recon, status: 'diff', lines: [line] })).toMatch(/^1 difference waits for you/);
    expect(reconSummary({ ...recon, status: 'clean', lines: [{ ...line, resolution: 'keep_local' }] })).toBe('Broker and ledger agree (0 matched, 1 resolved).');
  });
});
