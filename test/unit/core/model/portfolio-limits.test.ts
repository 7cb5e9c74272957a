/** Issue 12 item 4: implausible positions are refused with named errors; an expired option is shown as expired. */
import { describe, expect, it } from 'vitest';
import { parsePortfolio, MAX_SHARES, MAX_CONTRACTS } from '../../../../src/core/model/portfolio-file';
import { positionView } from '../../../../src/core/pnl/metrics';
import { valueStructure } from '../../../../src/core/pnl/structure';
import { FifoLedger, makeFill } from '../../../../src/core/pnl/fifo';
import { occInstrument } from '../../../../src/core/model/occ';
import { money, multiplier, qty } from '../../../../src/core/model/money';
import { formatDte } from '../../../../src/renderer/src/features/format/format';

const doc = (positions: object[]) => JSON.stringify({ version: 1, positions });
const stock = (over: object) => ({ id: 's', type: 'stock', symbol: 'MSFT', side: 'long', quantity: '300', cost_basis: '400', opened_at: '2026-11-01T15:00:00Z', ...over });
const option = (over: object) => ({ id: 'o', type: 'option', symbol: 'SPY261218C00600000', side: 'long', contracts: '1', cost_basis: '5', opened_at: '2026-11-01T15:00:00Z', ...over });
const errors = (text: string) => {
  const r = parsePortfolio(text);
  return r.ok ? [] : r.errors;
};

describe('implausible positions in portfolio.json', () => {
  it.each([
    ['quantity "1e30"', stock({ quantity: '1e30' }), '$.positions[0].quantity', 'shares above the limit of 100,000,000'],
    ['100 billion shares', stock({ quantity: '100000000000' }), '$.positions[0].quantity', 'shares above the limit'],
    ['a cost basis of 1e308', stock({ cost_basis: 1e308 }), '$.positions[0].cost_basis', 'cost basis above the limit'],
    ['10 million contracts', option({ contracts: '10000000' }), '$.positions[0].contracts', 'contracts above the limit of 1,000,000'],
    ['a multiplier of 1e12', option({ multiplier: '1e12' }), '$.positions[0].multiplier', 'multiplier above the limit'],
    ['1.5 option contracts', option({ contracts: '1.5' }), '$.positions[0].contracts', 'must be a whole number of contracts'],
  ])('%s is refused with the field named', (_name, pos, path, message) => {
    const e = errors(doc([pos]));
    expect(e).toHaveLength(1);
    expect(e[0]!.path).toBe(path);
    expect(e[0]!.message).toContain(message);
  });

  it('a net debit of 1e20 is refused; the limits themselves load', () => {
    const legs = [
      { symbol: 'SPY261218C00600000', side: 'long', contracts: '1' },
      { symbol: 'SPY261218C00610000', side: 'short', contracts: '1' },
    ];
    const e = errors(doc([{ id: 'm', type: 'multi_leg', name: 'm', net_debit: '-1e20', opened_at: '2026-11-01T15:00:00Z', legs }]));
    expect(e.map((x) => [x.path, x.message.slice(0, 32)])).toEqual([['$.positions[0].net_debit', 'net debit (absolute) above the l']]);
    expect(parsePortfolio(doc([stock({ quantity: String(MAX_SHARES) }), option({ contracts: String(MAX_CONTRACTS) })])).ok).toBe(true);
  });

  it('a fractional leg of a multi-leg position is refused too; fractional shares stay allowed', () => {
    const legs = [
      { symbol: 'SPY261218C00600000', side: 'long', contracts: '2' },
      { symbol: 'SPY261218C00610000', side: 'short', contracts: '0.5' },
    ];
    const e = errors(doc([{ id: 'm', type: 'multi_leg', name: 'm', net_debit: '100', opened_at: '2026-11-01T15:00:00Z', legs }]));
    expect(e.map((x) => [x.path, x.message])).toEqual([['$.positions[0].legs[1].contracts', 'must be a whole number of contracts']]);
    expect(parsePortfolio(doc([stock({ quantity: '2.5' })])).ok).toBe(true);
  });
});

describe('an expired option is shown as expired', () => {
  const inst = occInstrument('SPY250117C00600000');
  const after = inst.expiry!.epochMs + 323 * 86_400_000;
  const l = new FifoLedger({ multiplierOf: () => multiplier(100) });
  const r = l.apply(makeFill({ fill_id: 'f', position_id: 'p', symbol: inst.symbol, side: 'BUY', quantity: 1, price: 5, time: 0 }));
  if (!r.ok) throw new Error('fill');
  const snap = r.changes[0]!.position;

  it('the row says expired (not a one-sided quote), with no P&L, whatever a venue still sends', () => {
    for (const quote of [null, { symbol: inst.symbol, bid: 0, ask: 0.05, last: null, bidSize: 0, askSize: 1, exchangeTime: after, receivedAt: after }, { symbol: inst.symbol, bid: 1, ask: 1.1, last: null, bidSize: 1, askSize: 1, exchangeTime: after, receivedAt: after }]) {
      const v = positionView({ position: snap, quote, now: after, instrument: inst });
      expect(v.unknown_reason).toBe('expired');
      expect(v.unrealized_value).toBeNull();
      expect(v.warnings.map((w) => w.code)).toEqual(['expired']);
    }
    expect(formatDte(positionView({ position: snap, quote: null, now: after, instrument: inst }).dte)).toBe('expired 323d ago');
  });

  it('a structure leg says expired', () => {
    const v = valueStructure({ id: 's', name: 's', netDebit: money('100'), legs: [{ symbol: inst.symbol, quantity: qty(1), multiplier: multiplier(100), entryPrice: null, instrument: inst }] }, { now: after, quoteOf: () => null });
    expect(v.legs[0]!.unknown_reason).toBe('expired');
    expect(v.warnings.map((w) => w.code)).toEqual(['expired']);
  });
});
