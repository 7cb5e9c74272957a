// The trading service (issue 16 item 1 and the desk side of item 2), against fakes of its
// neighbours (execution port, account positions, reconciliation gate): Monitor by default, Trade by
// one switch on SIM/PAPER, LIVE only with the typed phrase (every time), Monitor disarms and every
// start is Monitor, refusal before the account runs, the kill switch's refusal surfaces with its
// message, the automation gate, order_events carrying journal rows, exits refused without positions.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../../src/core/ports/clock';
import { silentLogger } from '../../../../../src/core/ports/logger';
import { MemoryOrderJournal } from '../../../../../src/core/ports/order-journal';
import { accountId } from '../../../../../src/core/model/ids';
import { QTY_DP, parseScaled } from '../../../../../src/core/model/money';
import type { Account } from '../../../../../src/core/model/account';
import { VenueError, type OrderRequest, type OrderReplace, type VenueOrder } from '../../../../../src/core/ports/venue';
import type { KillSwitchLevel } from '../../../../../src/core/risk/kill-switch';
import type { UnsequencedEvent } from '../../../../../src/shared/contract';
import type { ReconciliationWire } from '../../../../../src/shared/trading';
import type { VenueRun } from '../../../../../src/node/compose';
import type { AccountPositions, ReconciliationGate } from '../../../../../src/node/app/trading/ports';
import type { StructureDefWire } from '../../../../../src/core/pnl/revalue';
import { TradingRefusal, TradingService, wireStatusOf } from '../../../../../src/node/app/trading/trading-service';
import type { MonitorOrders } from '../../../../../src/node/app/monitor/ports';
import { orderHandlers } from '../../../../../src/node/app/handlers/orders';
import { commandSchemas } from '../../../../../src/shared/contract';

const SIM: Account = { id: accountId('default'), label: 'Simulated', venue: 'sim', mode: 'SIM', credentialsRef: null };
const PAPER: Account = { id: accountId('paper1'), label: 'Paper', venue: 'alpaca', mode: 'PAPER', credentialsRef: { venue: 'alpaca' } };
const LIVE: Account = { id: accountId('live1'), label: 'Live', venue: 'alpaca', mode: 'LIVE', credentialsRef: { venue: 'alpaca' } };

/** An execution port whose orders rest (limit) or fill at once (market). */
class FakeExecution {
  readonly orders = new Map<string, VenueOrder>();
  readonly calls: string[] = [];
  readonly requests: OrderRequest[] = [];
  readonly patches: OrderReplace[] = [];
  /** The next place is rejected by the venue (HTTP 403), as an account without buying power is. */
  rejectNext = false;
  /** Replaces fail without a venue answer (never reaching the venue). */
  replaceLost = false;
  private seq = 0;
  constructor(readonly accountId: string) {}
  placeOrder = (o: OrderRequest): Promise<VenueOrder> => {
    this.calls.push(`place ${o.clientOrderId}`);
    this.requests.push({ ...o });
    if (this.rejectNext) {
      this.rejectNext = false;
      return Promise.reject(new VenueError('POST /v2/orders: HTTP 403 (code 40310000): insufficient buying power', 403, 40310000, 'rejected'));
    }
    const v: VenueOrder = {
      id: `V${++this.seq}`,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol!,
      side: o.side!,
      type: o.type,
      orderClass: '',
      timeInForce: 'day',
      qty: o.qty,
      filledQty: o.type === 'market' ? o.qty : '0',
      filledAvgPrice: null,
      limitPrice: o.limitPrice ?? null,
      stopPrice: o.stopPrice ?? null,
      status: o.type === 'market' ? 'filled' : 'new',
      createdAt: null,
      updatedAt: null,
      legs: [],
    };
    this.orders.set(o.clientOrderId, v);
    return Promise.resolve({ ...v });
  };
  replaceOrder = (id: string, p: OrderReplace): Promise<VenueOrder> => {
    if (this.replaceLost) return Promise.reject(new Error('socket hang up (the replace never reached the venue)'));
    this.calls.push(`replace ${id}`);
    this.patches.push({ ...p });
    const old = [...this.orders.values()].find((o) => o.id === id);
    if (!old) return Promise.reject(new VenueError('HTTP 404: order not found', 404, 40410000, 'rejected'));
    old.status = 'replaced';
    const v: VenueOrder = { ...old, id: `V${++this.seq}`, clientOrderId: p.clientOrderId!, qty: p.qty ?? old.qty, limitPrice: p.limitPrice ?? old.limitPrice, status: 'new' };
    this.orders.set(v.clientOrderId, v);
    return Promise.resolve({ ...v });
  };
  cancelOrder = (id: string): Promise<void> => {
    this.calls.push(`cancel ${id}`);
    for (const o of this.orders.values()) if (o.id === id) o.status = 'canceled';
    return Promise.resolve();
  };
  orderByClientId = (id: string): Promise<VenueOrder | null> => Promise.resolve(this.orders.get(id) ?? null);
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function rig(opts: { accounts?: Account[]; positions?: AccountPositions | null; gate?: ReconciliationGate | null; structures?: StructureDefWire[] } = {}) {
  const clock = new ManualClock(1_765_000_000_000);
  const events: UnsequencedEvent[] = [];
  const levels = new Map<string, KillSwitchLevel>();
  const journal = new MemoryOrderJournal();
  let seed = 0.5;
  const accounts = opts.accounts ?? [SIM, PAPER, LIVE];
  const service = new TradingService({
    clock,
    logger: silentLogger,
    journal,
    killSwitch: { levelOf: (a) => levels.get(a) ?? 'active' },
    accounts: () => accounts,
    positions: () => opts.positions ?? null,
    reconciliation: () => opts.gate ?? null,
    publish: (e) => events.push(e),
    node: (n) => {
      events.push({ type: 'node_event', serverTime: clock.now(), execution_id: `x${events.length}`, parent_execution_id: n.parent, timestamp: '', node_type: n.node_type, node_id: n.node_id, node_name: n.node_name, action: n.action, status: n.status, message: n.message ?? null, details: n.details ?? {} });
      return `x${events.length}`;
    },
    quote: () => null,
    subscribe: () => undefined,
    structures: () => opts.structures ?? [],
    random: () => (seed = (seed * 9301 + 0.49297) % 1),
  });
  const start = async (a: Account) => {
    const execution = new FakeExecution(a.id);
    await service.accountStarted(a, { account: a, execution, marketData: {}, sim: null, dispose: () => Promise.resolve() } as unknown as VenueRun);
    return execution;
  };
  return { clock, events, levels, journal, service, start };
}

const placeInput = (account: string, over: Partial<{ side: 'buy' | 'sell'; quantity: string; order_type: 'limit' | 'market'; limit_price: string }> = {}) => ({
  account,
  symbol: 'SPY',
  side: 'buy' as const,
  quantity: '2',
  order_type: 'limit' as const,
  limit_price: '100.00',
  ...over,
});

describe('trading service: modes and arming', () => {
  it('every account starts in Monitor; SIM and PAPER switch to Trade by one switch, announced (node_event with who/why, trading_event)', () => {
    const { service, events } = rig();
    expect(service.states().map((s) => [s.account, s.mode, s.venue_mode, s.live_armed, s.automation_blocked !== null])).toEqual([
      ['default', 'monitor', 'SIM', false, true],
      ['paper1', 'monitor', 'PAPER', false, true],
      ['live1', 'monitor', 'LIVE', false, true],
    ]);
    expect(service.setMode('default', 'trade', undefined)).toMatchObject({ mode: 'trade', since: 1_765_000_000_000, automation_blocked: null, live_armed: false });
    expect(service.setMode('paper1', 'trade', undefined).mode).toBe('trade');
    const nodes = events.filter((e) => e.type === 'node_event');
    expect(nodes.map((n) => n.type === 'node_event' && n.message)).toEqual([
      'account default (SIM): Monitor → Trade by user: SIM account: one switch',
      'account paper1 (PAPER): Monitor → Trade by user: PAPER account: one switch',
    ]);
    const last = events.filter((e) => e.type === 'trading_event').at(-1);
    expect(last?.type === 'trading_event' && last.accounts.map((a) => a.mode)).toEqual(['trade', 'trade', 'monitor']);
  });

  it('LIVE needs exactly "LIVE <account id>", every time; a wrong or missing phrase is refused naming the phrase; Monitor disarms', () => {
    const { service, events } = rig();
    expect(() => service.setMode('live1', 'trade', undefined)).toThrow(new TradingRefusal('account live1 is LIVE (real money): to switch it to Trade, type exactly "LIVE live1"; it stays in Monitor'));
    expect(() => service.setMode('live1', 'trade', 'live live1')).toThrow('type exactly "LIVE live1" (got "live live1")');
    expect(() => service.setMode('live1', 'trade', 'LIVE default')).toThrow(TradingRefusal);
    expect(service.mode('live1')).toBe('monitor');
    expect(events).toEqual([]); // nothing changed, nothing announced
    expect(service.setMode('live1', 'trade', 'LIVE live1')).toMatchObject({ mode: 'trade', live_armed: true });
    expect(service.setMode('live1', 'monitor', undefined)).toMatchObject({ mode: 'monitor', live_armed: false, since: null });
    // armed again only with the phrase again
    expect(() => service.setMode('live1', 'trade', undefined)).toThrow('type exactly "LIVE live1"');
    expect(service.setMode('live1', 'trade', 'LIVE live1').live_armed).toBe(true);
  });

  it('an unknown account is refused, named', () => {
    const { service } = rig();
    expect(() => service.setMode('nope', 'trade', undefined)).toThrow('the desk holds no account "nope" (it holds "default", "paper1", "live1")');
  });

  it('a stopping account goes back to Monitor (every start is Monitor), announced as the desk', async () => {
    const { service, start, events } = rig();
    await start(SIM);
    service.setMode('default', 'trade', undefined);
    service.accountStopping(SIM);
    expect(service.mode('default')).toBe('monitor');
    const n = events.filter((e) => e.type === 'node_event').at(-1);
    expect(n?.type === 'node_event' && n.message).toBe('account default (SIM): Trade → Monitor by desk: the account stopped: every start is in Monitor');
    expect(service.gateway('default')).toBeNull();
  });
});

describe('trading service: orders', () => {
  it('before the account runs, order commands are refused with "press Start"', async () => {
    const { service } = rig();
    service.setMode('default', 'trade', undefined);
    await expect(service.place(placeInput('default'))).rejects.toThrow('account default is not running: press Start');
    await expect(service.cancel('default', 'x')).rejects.toThrow('account default is not running: press Start');
    await expect(service.exit('default', { kind: 'all' })).rejects.toThrow('account default is not running: press Start');
  });

  it('Monitor refuses (mode); Trade places through the gateway; every journal event is an order_event with the journal row and history row', async () => {
    const { service, start, events, journal } = rig();
    const exec = await start(SIM);
    expect(await service.place(placeInput('default'))).toMatchObject({ kind: 'refused', cause: 'mode' });
    expect(exec.calls).toEqual([]);
    service.setMode('default', 'trade', undefined);
    const out = await service.place(placeInput('default'));
    expect(out.kind).toBe('accepted');
    const id = out.kind === 'accepted' ? out.order.client_order_id : '';
    expect(exec.calls).toEqual([`place ${id}`]);
    const oe = events.filter((e) => e.type === 'order_event');
    expect(oe.map((e) => e.type === 'order_event' && [e.journal?.history.kind, e.journal?.order.status, e.order.status, e.order.order_id])).toEqual([
      ['created', 'pending_submit', 'new', id],
      ['answered', 'accepted', 'accepted', id],
    ]);
    expect(oe.map((e) => e.type === 'order_event' && e.journal?.history.seq)).toEqual(journal.events(id).map((e) => e.seq));
    expect(service.workingOrders('default').map((o) => [o.client_order_id, o.origin])).toEqual([[id, 'manual']]);
    expect((await service.cancel('default', id)).kind).toBe('accepted');
    expect(service.history('default', id).history.map((h) => h.kind)).toEqual(['created', 'answered', 'sent', 'answered']);
    expect(() => service.history('paper1', id)).toThrow(`order ${id} is not in the journal of account paper1`);
  });

  it('client order ids: ld-<account>-<time>-<tag><n>, unique, ≤ 48 characters even for a long account id', () => {
    const { service } = rig();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) ids.add(service.newClientOrderId('a-very-long-account-identifier-of-sixty-four-characters-xxxxxxxx'));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(48);
    expect([...ids][0]).toMatch(/^ld-a-very-long-acco-[0-9a-z]+-[0-9a-z]{5,}$/);
  });

  it('the kill switch refusal surfaces with its message (Reducing: an opening order; Halted: even a reducing one)', async () => {
    const long = (a: string, s: string) => (a === 'default' && s === 'SPY' ? parseScaled('5', QTY_DP) : 0n);
    const positions: AccountPositions = { signedQuantity: long, positions: () => [], adoptBroker: () => undefined, whenSynced: () => Promise.resolve(), catchUp: () => Promise.resolve() };
    const { service, start, levels } = rig({ positions });
    await start(SIM);
    service.setMode('default', 'trade', undefined);
    levels.set('default', 'reducing');
    expect(await service.place(placeInput('default'))).toEqual({
      kind: 'refused',
      cause: 'kill_switch',
      reason: 'kill switch Reducing on account default: this buy of 2 SPY does not reduce exposure (position and working orders considered)',
      order: null,
    });
    expect((await service.place(placeInput('default', { side: 'sell', quantity: '5' }))).kind).toBe('accepted');
    levels.set('default', 'halted');
    expect(await service.place(placeInput('default', { side: 'sell', quantity: '1' }))).toMatchObject({ kind: 'refused', cause: 'kill_switch', reason: 'kill switch Halted on account default: only cancels pass' });
    expect(service.stateOf(SIM).kill_switch).toBe('halted');
  });

  it('automation gate: Monitor blocks; a reconciliation not clean blocks automation (not_reconciled) but not a manual order', async () => {
    let clean = false;
    const state: ReconciliationWire = { account: 'default', at: 1, status: 'diff', error: null, trigger: 'start', lines: [], pnl: [] };
    const gate: ReconciliationGate = { clean: () => clean, state: () => state, run: () => Promise.resolve(state) };
    const { service, start } = rig({ gate });
    await start(SIM);
    expect(service.automationBlocked('default')).toBe('Monitor mode: read-only (switch the account to Trade)');
    expect(await service.place(placeInput('default'), 'strategy')).toMatchObject({ kind: 'refused', cause: 'mode' });
    service.setMode('default', 'trade', undefined);
    expect(service.stateOf(SIM).automation_blocked).toBe('reconciliation with the broker is not clean (diff): resolve its lines first');
    expect(await service.place(placeInput('default'), 'monitor')).toEqual({
      kind: 'refused',
      cause: 'not_reconciled',
      reason: 'monitor: reconciliation with the broker is not clean (diff): resolve its lines first',
      order: null,
    });
    expect((await service.place(placeInput('default'), 'manual')).kind).toBe('accepted');
    clean = true;
    expect(service.stateOf(SIM).automation_blocked).toBeNull();
    const auto = await service.place(placeInput('default'), 'strategy');
    expect(auto.kind).toBe('accepted');
    expect(auto.kind === 'accepted' && auto.order.origin).toBe('strategy');
  });

  it('unknown outcomes resolve on their own: asked about on the clock (3 s, backing off to 30 s), automation blocked meanwhile (announced), no timer left when the account stops', async () => {
    const { service, start, clock, events } = rig();
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    const realPlace = exec.placeOrder;
    exec.placeOrder = async (o) => {
      await realPlace(o); // the venue took it; the answer is lost
      throw new VenueError('socket hang up', null, null, 'network');
    };
    const realAsk = exec.orderByClientId;
    let asks = 0;
    let reachable = false;
    exec.orderByClientId = (id) => {
      asks++;
      return reachable ? realAsk(id) : Promise.reject(new VenueError('HTTP 503', 503, null, 'server'));
    };
    const before = events.filter((e) => e.type === 'trading_event').length;
    const out = await service.place(placeInput('default'));
    expect(out.kind).toBe('unknown');
    exec.placeOrder = realPlace;
    expect(service.automationBlocked('default')).toBe('1 order with an unknown outcome: asking the venue');
    const tradingEvents = () => events.filter((e) => e.type === 'trading_event').slice(before) as Extract<UnsequencedEvent, { type: 'trading_event' }>[];
    expect(tradingEvents().at(-1)!.accounts.find((a) => a.account === 'default')!.automation_blocked).toBe('1 order with an unknown outcome: asking the venue');
    expect(await service.place(placeInput('default'), 'strategy')).toMatchObject({ kind: 'refused', reason: 'strategy: 1 order with an unknown outcome: asking the venue' });
    // the venue cannot be asked: 3 s, then 6, 12, 24, 30, 30 …
    const asksAt: number[] = [];
    const t0 = clock.now();
    for (let ms = 0; ms < 110_000; ms += 1_000) {
      const n = asks;
      clock.advance(1_000);
      await flush();
      if (asks > n) asksAt.push((clock.now() - t0) / 1_000);
    }
    expect(asksAt).toEqual([3, 9, 21, 45, 75, 105]);
    reachable = true;
    clock.advance(30_000);
    await flush();
    expect(service.list({ account: 'default' }).find((o) => o.client_order_id === out.order!.client_order_id)).toMatchObject({ status: 'accepted', pending: null, reason: null });
    expect(service.automationBlocked('default')).toBeNull();
    expect(tradingEvents().at(-1)!.accounts.find((a) => a.account === 'default')!.automation_blocked).toBeNull();
    expect(clock.pendingTimers()).toBe(0);
    // a new unknown starts at 3 s again; stopping the account leaves no timer behind
    exec.placeOrder = async () => Promise.reject(new VenueError('socket hang up', null, null, 'network'));
    await service.place(placeInput('default'));
    expect(clock.pendingTimers()).toBe(1);
    service.accountStopping(SIM);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an unknown replace stops blocking a cancel once the service has asked the venue (3 s later, on its own)', async () => {
    const { service, start, clock } = rig();
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    const placed = await service.place(placeInput('default'));
    const id = placed.order!.client_order_id;
    // the fake's replace fails without a venue answer: outcome unknown (the venue never got it)
    exec.replaceLost = true;
    expect((await service.replace('default', id, { limit_price: '99.00' })).kind).toBe('unknown');
    expect(await service.cancel('default', id)).toMatchObject({ kind: 'refused', cause: 'busy' });
    clock.advance(3_000);
    await flush();
    expect(service.list({ account: 'default' })[0]).toMatchObject({ status: 'accepted', pending: null });
    expect((await service.cancel('default', id)).kind).toBe('accepted');
    expect(exec.calls.at(-1)).toMatch(/^cancel /);
  });

  it('exits are refused in Monitor and while positions are unknown', async () => {
    const { service, start } = rig();
    await start(SIM);
    await expect(service.exit('default', { kind: 'all' })).rejects.toThrow('account default is in Monitor mode: an exit sends orders (switch it to Trade first)');
    service.setMode('default', 'trade', undefined);
    await expect(service.exit('default', { kind: 'position', symbol: 'SPY' })).rejects.toThrow("the positions of account default are not known (the account's fills are not loaded): nothing can be closed safely");
  });

  it('exit targets: a position, a structure (its legs, bounded by what the account holds in the same direction), all; nothing sent without a quote', async () => {
    const held: Record<string, string> = { SPY: '5', QQQ: '-4', AAPL: '2' };
    const view = (symbol: string) => ({ account: 'default', symbol, quantity: held[symbol]!, avgPrice: null, realized: '0', unrealized: null, fees: '0', multiplier: '1' });
    const positions: AccountPositions = {
      signedQuantity: (_a, sym) => (held[sym] !== undefined ? parseScaled(held[sym], QTY_DP) : 0n),
      positions: () => Object.keys(held).map(view),
      adoptBroker: () => undefined,
      whenSynced: () => Promise.resolve(),
      catchUp: () => Promise.resolve(),
    };
    const leg = (symbol: string, quantity: string) => ({ symbol, quantity, multiplier: '1', entry_price: null, instrument: null });
    const structures: StructureDefWire[] = [{ id: 'spread-1', name: 'spread', net_debit: null, currency: 'USD', currency_decimals: 2, legs: [leg('SPY', '3'), leg('QQQ', '-6'), leg('AAPL', '-1')] }];
    const { service, start, events } = rig({ positions, structures });
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    const one = await service.exit('default', { kind: 'position', symbol: 'QQQ' });
    expect(one.legs.map((l) => [l.symbol, l.side, l.quantity, l.phase, l.status])).toEqual([['QQQ', 'buy', '4', 1, 'waiting']]);
    expect(one.legs[0]!.reason).toBe('waiting for a fresh quote of QQQ (none yet; waited 1×)');
    // each exit is stopped before the next: two exits on one symbol are refused (below)
    await service.exitCancel(one.id);
    const s = await service.exit('default', { kind: 'structure', structure_id: 'spread-1' });
    // SPY: the structure's 3 of the 5 held; QQQ: all 4 held (the structure says 6); AAPL: the structure is short, the account long → nothing
    expect(s.legs.map((l) => [l.symbol, l.side, l.quantity])).toEqual([
      ['QQQ', 'buy', '4'],
      ['SPY', 'sell', '3'],
    ]);
    await service.exitCancel(s.id);
    const all = await service.exit('default', { kind: 'all' });
    expect(all.legs.map((l) => [l.symbol, l.side, l.quantity, l.phase])).toEqual([
      ['QQQ', 'buy', '4', 1],
      ['AAPL', 'sell', '2', 2],
      ['SPY', 'sell', '5', 2],
    ]);
    expect(exec.calls).toEqual([]); // no quote: nothing sent
    await expect(service.exit('default', { kind: 'structure', structure_id: 'nope' })).rejects.toThrow('structure nope is not in the portfolio (structures: spread-1)');
    expect(service.exitList().map((e) => e.status).sort()).toEqual(['cancelled', 'cancelled', 'working']);
    const stopped = await service.exitCancel(all.id);
    expect(stopped).toMatchObject({ status: 'cancelled', reason: 'stopped by the user' });
    const ended = events.filter((e) => e.type === 'node_event' && e.action === 'exit_end');
    expect(ended.map((e) => e.type === 'node_event' && [e.status, e.message]).at(-1)).toEqual(['info', 'exit cancelled: stopped by the user — buy 0/4 QQQ cancelled; sell 0/2 AAPL cancelled; sell 0/5 SPY cancelled']);
    await expect(service.exitCancel('exit-zzz')).rejects.toThrow('exit exit-zzz is not known (exits of this session only)');
    service.dispose();
  });

  it('two exits on one position are refused (exit SPY then exit all); so is an exit beside a working order on its symbol', async () => {
    const held: Record<string, string> = { SPY: '2' };
    const positions: AccountPositions = {
      signedQuantity: (_a, sym) => (held[sym] !== undefined ? parseScaled(held[sym], QTY_DP) : 0n),
      positions: () => Object.keys(held).map((symbol) => ({ account: 'default', symbol, quantity: held[symbol]!, avgPrice: null, realized: '0', unrealized: null, fees: '0', multiplier: '1' })),
      adoptBroker: () => undefined,
      whenSynced: () => Promise.resolve(),
      catchUp: () => Promise.resolve(),
    };
    const { service, start } = rig({ positions });
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    const first = await service.exit('default', { kind: 'position', symbol: 'SPY' });
    await expect(service.exit('default', { kind: 'all' })).rejects.toThrow(new RegExp(`exit of every position on account default refused: exit ${first.id} is already working on SPY`));
    await expect(service.exit('default', { kind: 'position', symbol: 'SPY' })).rejects.toThrow(/already working on SPY/);
    await service.exitCancel(first.id);
    // a resting sell of the user's + an exit: refused, naming the symbol
    const sell = await service.place(placeInput('default', { side: 'sell', quantity: '2', limit_price: '999.00' }));
    expect(sell.kind).toBe('accepted');
    await expect(service.exit('default', { kind: 'position', symbol: 'SPY' })).rejects.toThrow(/1 working order on SPY \(sell 2 SPY accepted\).*cancel the working orders on SPY first/);
    await service.cancel('default', sell.order!.client_order_id);
    exec.orders.get(sell.order!.client_order_id)!.status = 'canceled';
    await service.resolve('default', sell.order!.client_order_id);
    expect((await service.exit('default', { kind: 'all' })).status).toBe('working');
    service.dispose();
  });

  it('lifecycle: recover() at start settles an order cut off by a restart (by asking, never re-sent when found); resync resolves unknowns; order updates reach the gateway', async () => {
    const { service, journal, clock } = rig();
    const now = clock.now();
    // left by a previous process: committed, maybe sent, no answer recorded
    const cut = {
      clientOrderId: 'ld-default-old-1',
      accountId: 'default',
      symbol: 'SPY',
      side: 'buy' as const,
      quantity: '1',
      orderType: 'limit' as const,
      limitPrice: '100.00',
      status: 'pending_submit' as const,
      venueOrderId: null,
      venueClientOrderId: 'ld-default-old-1',
      filledQuantity: '0',
      priorFilledQuantity: '0',
      replaceCount: 0,
      pending: { kind: 'place' as const, venueClientOrderId: 'ld-default-old-1', quantity: null, limitPrice: null, state: 'sending' as const, since: now, attempts: 1 },
      reason: null,
      createdAt: now,
      updatedAt: now,
    };
    journal.insert(cut, { clientOrderId: cut.clientOrderId, at: now, kind: 'created', command: 'place', fromStatus: null, toStatus: 'pending_submit', reason: null, detail: null });
    const exec = new FakeExecution('default');
    await exec.placeOrder({ clientOrderId: 'ld-default-old-1', symbol: 'SPY', qty: '1', side: 'buy', type: 'limit', limitPrice: '100.00', timeInForce: 'day' });
    exec.calls.length = 0;
    await service.accountStarted(SIM, { account: SIM, execution: exec, marketData: {}, sim: null, dispose: () => Promise.resolve() } as unknown as VenueRun);
    expect(journal.get('ld-default-old-1')).toMatchObject({ status: 'accepted', pending: null, venueOrderId: 'V1' });
    expect(exec.calls).toEqual([]); // found by asking: not sent again
    expect(journal.events('ld-default-old-1').map((e) => e.kind)).toEqual(['created', 'unknown', 'resolved']);
    // an order update from the venue's stream reaches the gateway
    const v = exec.orders.get('ld-default-old-1')!;
    service.orderUpdate(SIM, { event: 'fill', order: { ...v, status: 'filled', filledQty: '1' }, executionId: 'e1', price: '100', qty: '1', positionQty: '1', timestamp: now, receivedAt: now });
    expect(journal.get('ld-default-old-1')).toMatchObject({ status: 'filled', filledQuantity: '1' });
    // resync: an unknown is resolved by asking
    service.setMode('default', 'trade', undefined);
    const placed = await service.place(placeInput('default'));
    const id = placed.kind === 'accepted' ? placed.order.client_order_id : '';
    const o = journal.get(id)!;
    journal.update({ ...o, status: 'unknown', pending: { kind: 'cancel', venueClientOrderId: id, quantity: null, limitPrice: null, state: 'unknown', since: now, attempts: 1 } }, { clientOrderId: id, at: now, kind: 'unknown', command: 'cancel', fromStatus: 'accepted', toStatus: 'unknown', reason: 'test', detail: null });
    exec.orders.get(id)!.status = 'canceled';
    await service.resync(SIM);
    expect(journal.get(id)).toMatchObject({ status: 'cancelled', pending: null });
  });

  it('journal statuses in the order-update spelling', () => {
    expect(wireStatusOf('pending_submit', false)).toBe('new');
    expect(wireStatusOf('pending_cancel', true)).toBe('partially_filled');
    expect(wireStatusOf('cancelled', false)).toBe('canceled');
    expect(wireStatusOf('unknown', false)).toBe('unknown');
  });
});

describe('trading service: the monitoring cycle’s order path (MonitorOrders, issue 17)', () => {
  const longSpy = (qty: string): AccountPositions => ({
    signedQuantity: (a, s) => (a === 'default' && s === 'SPY' ? parseScaled(qty, QTY_DP) : 0n),
    positions: () => [],
    adoptBroker: () => undefined,
    whenSynced: () => Promise.resolve(),
    catchUp: () => Promise.resolve(),
  });

  it('is the MonitorOrders the cycle uses: an SL stop_limit with role, strategy, link and a chosen client id, placed with origin monitor', async () => {
    const { service, start, events, journal } = rig({ positions: longSpy('2') });
    const orders: MonitorOrders = service;
    const exec = await start(SIM);
    expect(orders.automationBlocked('default')).toMatch(/^Monitor mode/);
    service.setMode('default', 'trade', undefined);
    expect(orders.automationBlocked('default')).toBeNull();
    const out = await orders.place(
      { account: 'default', symbol: 'SPY', side: 'sell', quantity: '2', order_type: 'stop_limit', stop_price: '2.10', limit_price: '2.05', role: 'sl', strategy: 'iron-fly', linked_client_order_id: 'ld-entry-1', client_order_id: 'mon-sl-1' },
      'monitor',
    );
    expect(out).toMatchObject({
      kind: 'accepted',
      order: { client_order_id: 'mon-sl-1', order_type: 'stop_limit', stop_price: '2.10', limit_price: '2.05', role: 'sl', strategy: 'iron-fly', linked_client_order_id: 'ld-entry-1', archived_at: null, origin: 'monitor', status: 'accepted' },
    });
    expect(exec.requests).toEqual([{ clientOrderId: 'mon-sl-1', symbol: 'SPY', qty: '2', side: 'sell', type: 'stop_limit', timeInForce: 'day', limitPrice: '2.05', stopPrice: '2.10' }]);
    expect(journal.get('mon-sl-1')).toMatchObject({ orderType: 'stop_limit', stopPrice: '2.10', role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-1' });
    const last = events.filter((e) => e.type === 'order_event').at(-1);
    expect(last?.type === 'order_event' && last.journal?.order).toMatchObject({ order_type: 'stop_limit', stop_price: '2.10', role: 'sl', strategy: 'iron-fly', linked_client_order_id: 'ld-entry-1' });
    // the same chosen id again is refused, saying it is taken; nothing is sent
    const again = await orders.place({ account: 'default', symbol: 'SPY', side: 'sell', quantity: '2', order_type: 'limit', limit_price: '3.00', role: 'tp', client_order_id: 'mon-sl-1' }, 'monitor');
    expect(again).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/mon-sl-1 is already in the journal/) });
    expect(exec.requests).toHaveLength(1);
    // replace: the SL's limit price moves, its stop stays
    const moved = await orders.replace('default', 'mon-sl-1', { limit_price: '2.00' });
    expect(moved).toMatchObject({ kind: 'accepted', order: { client_order_id: 'mon-sl-1', limit_price: '2.00', stop_price: '2.10', order_type: 'stop_limit', replace_count: 1 } });
    expect(exec.patches).toEqual([{ clientOrderId: 'mon-sl-1.r1', limitPrice: '2.00' }]);
    expect(orders.list({ account: 'default', scope: 'open' }).map((o) => [o.client_order_id, o.role, o.stop_price])).toEqual([['mon-sl-1', 'sl', '2.10']]);
  });

  it('a manual order without a role: exit when it reduces the position, entry when it adds; unknown positions → entry', async () => {
    const { service, start } = rig({ positions: longSpy('5') });
    await start(SIM);
    service.setMode('default', 'trade', undefined);
    const sell = await service.place(placeInput('default', { side: 'sell', quantity: '2' }));
    const buy = await service.place(placeInput('default'));
    const flip = await service.place(placeInput('default', { side: 'sell', quantity: '9' }));
    expect([sell, buy, flip].map((o) => o.order?.role)).toEqual(['exit', 'entry', 'entry']);
    const unknown = rig({ positions: null });
    await unknown.start(SIM);
    unknown.service.setMode('default', 'trade', undefined);
    expect((await unknown.service.place(placeInput('default', { side: 'sell' }))).order?.role).toBe('entry');
  });

  it('the orders.place handler passes stop_limit, stop price, role and strategy through to the service', async () => {
    const { service, start } = rig();
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    const parsed = commandSchemas['orders.place'].parse({ account: 'default', symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'stop_limit', stop_price: '101.00', limit_price: '101.50', role: 'entry', strategy: 'breakout' });
    const res = await orderHandlers(service)['orders.place'](parsed);
    expect(res.outcome).toMatchObject({ kind: 'accepted', order: { order_type: 'stop_limit', stop_price: '101.00', limit_price: '101.50', role: 'entry', strategy: 'breakout', origin: 'manual' } });
    expect(exec.requests[0]).toMatchObject({ type: 'stop_limit', stopPrice: '101.00', limitPrice: '101.50' });
  });

  it('archive: a rejected order is archived (kept, status rejected), announced as an order_event with the journal row; idempotent; a working order is refused naming it and its status', async () => {
    const { service, start, events, clock } = rig();
    const exec = await start(SIM);
    service.setMode('default', 'trade', undefined);
    exec.rejectNext = true;
    const rejected = await service.place(placeInput('default'));
    expect(rejected).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/insufficient buying power/) });
    const id = rejected.order!.client_order_id;
    const working = await service.place(placeInput('default', { limit_price: '99.00' }));
    clock.advance(1_000);
    const before = events.length;
    const wire = service.archive('default', id, { cycleId: 'cyc-7', reason: 'step 7: rejected order archived' });
    expect(wire).toMatchObject({ client_order_id: id, status: 'rejected', archived_at: clock.now() });
    const announced = events.slice(before);
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ type: 'order_event', order: { order_id: id, event: 'archived', status: 'rejected' }, journal: { order: { client_order_id: id, archived_at: clock.now(), status: 'rejected' } } });
    expect(service.history('default', id).history.map((h) => h.kind)).toEqual(['created', 'answered']);
    expect(service.list({ account: 'default' }).find((o) => o.client_order_id === id)?.archived_at).toBe(clock.now());
    // idempotent: the first archive stands, nothing announced again
    clock.advance(1_000);
    expect(service.archive('default', id, { cycleId: 'cyc-8', reason: 'again' }).archived_at).toBe(clock.now() - 1_000);
    expect(events.length).toBe(before + 1);
    const wid = working.order!.client_order_id;
    expect(() => service.archive('default', wid, { cycleId: null, reason: 'x' })).toThrow(new TradingRefusal(`order ${wid} (buy 2 SPY) is accepted: only a final order (filled, cancelled, rejected, expired) is archived`));
    expect(() => service.archive('default', 'nope', { cycleId: null, reason: 'x' })).toThrow('order nope is not in the journal of account default: nothing to archive');
    expect(() => service.archive('paper1', id, { cycleId: null, reason: 'x' })).toThrow(`order ${id} is not in the journal of account paper1`);
  });
});
