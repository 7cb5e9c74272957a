import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FifoLedger, makeFill, rebuildPositions, type Fill, type FillInput } from '../../../../src/core/pnl/fifo';
import { multiplier, qtyToString, toDecimalString, toMinorUnits, type Money } from '../../../../src/core/model/money';
import { SeededRandom } from '../../../../src/core/model/random';

const mult100 = () => multiplier(100);
const mult1 = () => multiplier(1);
let t = 0;
const f = (o: Partial<FillInput> & Pick<FillInput, 'side' | 'quantity' | 'price'>): Fill =>
  makeFill({ fill_id: `f${++t}`, position_id: 'P', symbol: 'XYZ', time: t * 1000, ...o });
const s = (m: Money) => toDecimalString(m);

describe('FIFO positions', () => {
  it('matches FIFO across 3 lots with partial closes, booking realized per closed quantity', () => {
    const l = new FifoLedger({ multiplierOf: mult1 });
    l.apply(f({ fill_id: 'b1', side: 'BUY', quantity: 10, price: '100' }));
    l.apply(f({ fill_id: 'b2', side: 'BUY', quantity: 5, price: '102' }));
    l.apply(f({ fill_id: 'b3', side: 'BUY', quantity: 5, price: '105' }));
    const r = l.apply(f({ fill_id: 's1', side: 'SELL', quantity: 12, price: '110' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]!.action).toBe('partial_exit');
    expect(r.changes[0]!.matches.map((m) => [m.open_fill_id, qtyToString(m.quantity), s(m.realized)])).toEqual([
      ['b1', '10', '100'],
      ['b2', '2', '16'],
    ]);
    let p = l.get('P', 0)!;
    expect(p.status).toBe('PARTIAL');
    expect(qtyToString(p.quantity_remaining)).toBe('8');
    expect(s(p.open_cost)).toBe('831'); // 3 × 102 + 5 × 105
    expect(l.lots('P', 0).map((x) => [x.fill_id, qtyToString(x.quantity)])).toEqual([
      ['b2', '3'],
      ['b3', '5'],
    ]);
    l.apply(f({ fill_id: 's2', side: 'SELL', quantity: 6, price: '101' })); // −3 on b2, −12 on b3
    p = l.get('P', 0)!;
    expect(s(p.realized_gross)).toBe('101');
    const last = l.apply(f({ fill_id: 's3', side: 'SELL', quantity: 2, price: '100' }));
    p = l.get('P', 0)!;
    expect(last.ok && last.changes[0]!.action).toBe('exit');
    expect(p.status).toBe('CLOSED');
    expect(s(p.realized_gross)).toBe('91');
    expect(qtyToString(p.quantity_total)).toBe('20');
    expect(qtyToString(p.quantity_closed)).toBe('20');
    expect(p.match_count).toBe(5);
    expect(l.matches('P', 0)).toHaveLength(5);
  });

  it('OPEN means nothing closed yet; PARTIAL some closed and some open; CLOSED none open', () => {
    const l = new FifoLedger({ multiplierOf: mult100 });
    l.apply(f({ side: 'SELL', quantity: 2, price: '5.00' }));
    expect(l.get('P', 0)!.status).toBe('OPEN');
    expect(l.get('P', 0)!.side).toBe('SHORT');
    l.apply(f({ side: 'SELL', quantity: 1, price: '5.50' }));
    expect(l.get('P', 0)!.status).toBe('OPEN');
    l.apply(f({ side: 'BUY', quantity: 2, price: '3.00' })); // short: (5.00 − 3.00) × 2 × 100
    expect(l.get('P', 0)!.status).toBe('PARTIAL');
    expect(s(l.get('P', 0)!.realized_gross)).toBe('400');
    expect(l.get('P', 0)!.signed_units).toBe(-100n * 10n ** 15n); // 1 short contract × 100, at the units scale
    l.apply(f({ side: 'BUY', quantity: 1, price: '6.00' })); // (5.50 − 6.00) × 100
    expect(l.get('P', 0)!.status).toBe('CLOSED');
    expect(s(l.get('P', 0)!.realized_gross)).toBe('350');
  });

  it('flips from long to short in one fill: closes, then opens the remainder as the next re-entry', () => {
    const l = new FifoLedger({ multiplierOf: mult100 });
    l.apply(f({ fill_id: 'L', side: 'BUY', quantity: 5, price: '10.00', fee: '3.25' }));
    const r = l.apply(f({ fill_id: 'X', side: 'SELL', quantity: 8, price: '12.00', fee: '8.00' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.changes.map((c) => [c.action, c.position.key, qtyToString(c.opened), qtyToString(c.closed), s(c.fee)])).toEqual([
      ['exit', 'P#0', '0', '5', '5'],
      ['entry', 'P#1', '3', '0', '3'],
    ]);
    const closed = l.get('P', 0)!;
    expect(closed.status).toBe('CLOSED');
    expect(s(closed.realized_gross)).toBe('1000');
    expect(s(closed.fees)).toBe('8.25');
    expect(s(closed.realized_net)).toBe('991.75');
    const short = l.get('P', 1)!;
    expect(short.side).toBe('SHORT');
    expect(short.status).toBe('OPEN');
    expect(qtyToString(short.quantity_remaining)).toBe('3');
    expect(s(short.signed_open_cost)).toBe('-3600');
    expect(s(short.realized_net)).toBe('-3'); // its share of the fee
  });

  it('splits a flipping fill’s fee exactly (no cent lost or invented)', () => {
    const l = new FifoLedger({ multiplierOf: mult1 });
    l.apply(f({ side: 'BUY', quantity: 1, price: '1' }));
    l.apply(f({ side: 'SELL', quantity: 3, price: '1', fee: '0.01' }));
    const total = (l.get('P', 0)!.fees as bigint) + (l.get('P', 1)!.fees as bigint);
    expect(s(total as Money)).toBe('0.01');
  });

  it('numbers re-entries and rejects fills that name the wrong one', () => {
    const l = new FifoLedger({ multiplierOf: mult100 });
    expect(l.nextReEntryNum('P')).toBe(0);
    l.apply(f({ side: 'BUY', quantity: 1, price: '2' }));
    expect(l.nextReEntryNum('P')).toBe(0);
    l.apply(f({ side: 'SELL', quantity: 1, price: '3' }));
    expect(l.nextReEntryNum('P')).toBe(1);
    const again = l.apply(f({ side: 'BUY', quantity: 1, price: '2', re_entry_num: 0 }));
    expect(again).toMatchObject({ ok: false, rejection: { reason: expect.stringMatching(/P#0 is already CLOSED; a re-entry must use re_entry_num ≥ 1/) } });
    const r1 = l.apply(f({ side: 'BUY', quantity: 2, price: '2.5' }));
    expect(r1.ok && r1.changes[0]!.position.key).toBe('P#1');
    const wrong = l.apply(f({ side: 'SELL', quantity: 1, price: '3', re_entry_num: 2 }));
    expect(wrong).toMatchObject({ ok: false, rejection: { reason: expect.stringMatching(/P#1 is still open/) } });
    const otherSymbol = l.apply(f({ side: 'SELL', quantity: 1, price: '3', symbol: 'ABC' }));
    expect(otherSymbol).toMatchObject({ ok: false, rejection: { reason: expect.stringMatching(/trades XYZ, the fill is for ABC/) } });
    expect(l.get('P', 1)!.quantity_remaining).toBe(2_000_000_000n);
    // an explicit new number after a close may skip ahead
    l.apply(f({ side: 'SELL', quantity: 2, price: '3' }));
    const r5 = l.apply(f({ side: 'BUY', quantity: 1, price: '1', re_entry_num: 5 }));
    expect(r5.ok && r5.changes[0]!.position.key).toBe('P#5');
  });

  it('charges fees immediately: realized is net of fees, fees reported separately', () => {
    const l = new FifoLedger({ multiplierOf: mult100 });
    l.apply(f({ side: 'BUY', quantity: 2, price: '1.50', fee: '1.30' }));
    const open = l.get('P', 0)!;
    expect(s(open.realized_gross)).toBe('0');
    expect(s(open.fees)).toBe('1.3');
    expect(s(open.realized_net)).toBe('-1.3');
    l.apply(f({ side: 'SELL', quantity: 2, price: '1.75', fee: '1.30' }));
    const p = l.get('P', 0)!;
    expect(s(p.realized_gross)).toBe('50');
    expect(s(p.fees)).toBe('2.6');
    expect(s(p.realized_net)).toBe('47.4');
    expect(l.realizedTotals()).toEqual({ gross: p.realized_gross, fees: p.fees, net: p.realized_net });
  });

  it('rejects duplicates and bad fills without changing anything', () => {
    const l = new FifoLedger({ multiplierOf: mult1 });
    const fill = f({ side: 'BUY', quantity: 1, price: '1' });
    expect(l.apply(fill).ok).toBe(true);
    expect(l.apply(fill)).toMatchObject({ ok: false, rejection: { reason: 'duplicate fill_id (already applied)' } });
    expect(l.get('P', 0)!.quantity_total).toBe(1_000_000_000n);
    expect(() => makeFill({ fill_id: 'z', position_id: 'P', symbol: 'X', side: 'BUY', quantity: 0, price: 1, time: 0 })).toThrow(/fill "z": quantity must be positive/);
    expect(() => makeFill({ fill_id: 'z', position_id: 'P', symbol: 'X', side: 'HOLD' as 'BUY', quantity: 1, price: 1, time: 0 })).toThrow(/side must be BUY or SELL/);
    expect(() => makeFill({ fill_id: 'z', position_id: 'P', symbol: 'X', side: 'buy', quantity: 1, price: '1.123456789012', time: 0 })).toThrow(/fill "z": price price has 12 decimal places/);
    const noMult = new FifoLedger({ multiplierOf: () => { throw new Error('unknown symbol'); } });
    expect(noMult.apply(fill)).toMatchObject({ ok: false, rejection: { reason: expect.stringMatching(/no multiplier for XYZ/) } });
    expect(noMult.positions()).toHaveLength(0);
  });

  it('rebuilds the same positions from stored fills (time order, bad fills reported)', () => {
    const fills = [
      f({ fill_id: 'a', side: 'BUY', quantity: 3, price: '10', time: 1 }),
      f({ fill_id: 'c', side: 'SELL', quantity: 4, price: '12', time: 3 }),
      f({ fill_id: 'b', side: 'BUY', quantity: 1, price: '11', time: 2 }),
      f({ fill_id: 'a', side: 'BUY', quantity: 3, price: '10', time: 4 }),
    ];
    const { positions, rejected } = rebuildPositions(fills, { multiplierOf: mult1 });
    expect(rejected).toEqual([{ fill_id: 'a', position_id: 'P', reason: 'duplicate fill_id (already applied)' }]);
    expect(positions.map((p) => [p.key, p.status, s(p.realized_gross)])).toEqual([['P#0', 'CLOSED', '7']]);
  });
});

// ---------- exactness against a BigInt-rational reference ----------

interface Rat {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
};
const rat = (n: bigint, d: bigint): Rat => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const parseRat = (text: string): Rat => {
  const [i, fr = ''] = text.split('.');
  return rat(BigInt(i! + fr), 10n ** BigInt(fr.length));
};
const add = (a: Rat, b: Rat) => rat(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Rat, b: Rat) => rat(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Rat, b: Rat) => rat(a.n * b.n, a.d * b.d);
const lt = (a: Rat, b: Rat) => a.n * b.d < b.n * a.d;
const ZERO: Rat = { n: 0n, d: 1n };

/** Independent FIFO on rationals: realized P&L and fees per position_id (generations summed). */
function referenceRealized(fills: { pid: string; side: string; q: string; p: string; fee: string; mult: string }[]) {
  const books = new Map<string, { side: number; lots: { q: Rat; p: Rat }[] }>();
  let realized = ZERO;
  let fees = ZERO;
  for (const x of fills) {
    const m = parseRat(x.mult);
    let q = parseRat(x.q);
    const p = parseRat(x.p);
    const dir = x.side === 'BUY' ? 1 : -1;
    fees = add(fees, parseRat(x.fee));
    let b = books.get(x.pid);
    if (!b) books.set(x.pid, (b = { side: dir, lots: [] }));
    if (b.lots.length === 0) b.side = dir;
    if (b.side !== dir) {
      while (q.n > 0n && b.lots.length > 0) {
        const lot = b.lots[0]!;
        const take = lt(lot.q, q) ? lot.q : q;
        const diff = b.side === 1 ? sub(p, lot.p) : sub(lot.p, p);
        realized = add(realized, mul(mul(diff, take), m));
        lot.q = sub(lot.q, take);
        q = sub(q, take);
        if (lot.q.n === 0n) b.lots.shift();
      }
      if (q.n > 0n) b.side = dir;
    }
    if (q.n > 0n) b.lots.push({ q, p });
  }
  return { realized, fees };
}

function randomDecimal(rng: SeededRandom, maxInt: number, dp: number): string {
  const i = rng.int(0, maxInt);
  const fr = dp > 0 ? String(rng.int(0, 10 ** dp - 1)).padStart(dp, '0') : '';
  return fr ? `${i}.${fr}` : String(i);
}

describe('exactness (property over ≥ 100,000 random fills)', () => {
  it('realized P&L equals a BigInt-rational FIFO reference exactly, hence to the smallest currency unit', () => {
    let totalFills = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new SeededRandom(seed);
        const mults = ['100', '1', '0.001', '25'];
        const raw: { pid: string; side: string; q: string; p: string; fee: string; mult: string }[] = [];
        const symbolMult = new Map<string, string>();
        for (let i = 0; i < 5000; i++) {
          const pid = `p${rng.int(0, 7)}`;
          if (!symbolMult.has(pid)) symbolMult.set(pid, mults[rng.int(0, mults.length - 1)]!);
          raw.push({
            pid,
            side: rng.next() < 0.5 ? 'BUY' : 'SELL',
            q: rng.next() < 0.7 ? String(rng.int(1, 20)) : `${rng.int(0, 3)}.${String(rng.int(1, 999)).padStart(3, '0')}`,
            p: randomDecimal(rng, 500, rng.int(0, 4)),
            fee: randomDecimal(rng, 2, 2),
            mult: symbolMult.get(pid)!,
          });
        }
        totalFills += raw.length;
        const ledger = new FifoLedger({ multiplierOf: (sym) => multiplier(symbolMult.get(sym)!), keepMatches: false });
        let floatRealized = 0;
        raw.forEach((x, i) => {
          const r = ledger.apply(makeFill({ fill_id: `f${i}`, position_id: x.pid, symbol: x.pid, side: x.side as 'BUY', quantity: x.q, price: x.p, fee: x.fee, time: i }));
          if (!r.ok) throw new Error(r.rejection.reason);
          for (const c of r.changes) floatRealized += Number(toDecimalString(c.realized));
        });
        const ref = referenceRealized(raw);
        const ours = ledger.realizedTotals();
        const gross = parseRat(toDecimalString(ours.gross));
        expect(gross).toEqual(ref.realized); // exact, not approximately
        expect(parseRat(toDecimalString(ours.fees))).toEqual(ref.fees);
        // and therefore equal in cents (rounded once, half-up)
        const refCents = (() => {
          const num = ref.realized.n * 100n;
          const q = num / ref.realized.d;
          const r2 = (num % ref.realized.d) * 2n;
          const absR2 = r2 < 0n ? -r2 : r2;
          return absR2 >= ref.realized.d ? q + (num < 0n ? -1n : 1n) : q;
        })();
        expect(toMinorUnits(ours.gross, 2)).toBe(refCents);
        void floatRealized; // summing the same figures as floats drifts; we never do
      }),
      { numRuns: 21 },
    );
    expect(totalFills).toBeGreaterThanOrEqual(100_000);
  });
});
