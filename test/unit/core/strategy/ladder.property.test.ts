// Property: random quote paths (moving, stale, one-sided), random partial fills, cancels held or
// refused, rejected and unknown outcomes and random clock steps never make the entry ladder place a
// second order of a leg while one is still working, and never a limit past the bound frozen at the
// first attempt (bound_spread_fraction of the half spread from the mid then).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { strategyEngine as E } from '../../../../src/core/strategy/engine';
import { CALL, PUT, T_ENTRY, World, contracts, definition } from './world';

const op = fc.oneof(
  fc.record({ kind: fc.constant('quote' as const), leg: fc.nat(1), mid: fc.integer({ min: 20, max: 600 }), half: fc.integer({ min: 1, max: 40 }), fresh: fc.boolean() }),
  fc.record({ kind: fc.constant('fill' as const), leg: fc.nat(1), part: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 1, max: 4000 }) }),
  fc.record({ kind: fc.constant('hold' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('confirm' as const) }),
  fc.record({ kind: fc.constant('refuseCancel' as const) }),
  fc.record({ kind: fc.constant('outcome' as const), which: fc.constantFrom('rejected' as const, 'unknown' as const) }),
  fc.record({ kind: fc.constant('resolve' as const) }),
);

describe('entry ladder (property)', () => {
  it('never two working orders of a leg, never a limit past the bound', () => {
    fc.assert(
      fc.property(
        fc.record({ buyLeg: fc.boolean(), lots: fc.integer({ min: 1, max: 5 }), maxRetry: fc.integer({ min: 1, max: 8 }), step: fc.integer({ min: 1, max: 5 }), frac: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
        fc.array(op, { minLength: 1, maxLength: 80 }),
        (cfg, ops) => {
          const w = new World();
          w.now = T_ENTRY;
          w.quote(CALL, 1.0, 1.2);
          w.quote(PUT, 2.0, 2.2);
          const def = definition(
            { entry: { max_retry: cfg.maxRetry, retry_delay_ms: 1000, step_ticks: cfg.step, bound_spread_fraction: cfg.frac, fallback: 'market' } },
            [{ lots: cfg.lots }, { lots: cfg.lots, side: cfg.buyLeg ? 'buy' : 'sell' }],
          );
          let s = w.carry(E.newRun('p', def, 'NYSE', w.now, { enterNow: true }));
          s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts() }, w.inputs()));
          const sym = [CALL, PUT];
          for (const o of ops) {
            switch (o.kind) {
              case 'quote': {
                const mid = o.mid / 100;
                w.quote(sym[o.leg]!, Math.max(0.01, mid - o.half / 100), mid + o.half / 100, o.fresh);
                break;
              }
              case 'fill': {
                const open = w.working(sym[o.leg]!).filter((x) => x.status !== 'unknown');
                for (const x of open) w.fill(x.clientOrderId, Math.min(x.quantity, x.filledQuantity + o.part));
                break;
              }
              case 'time':
                w.now += o.ms;
                break;
              case 'hold':
                w.holdCancels = o.on;
                break;
              case 'confirm':
                for (const x of w.journal.values()) if (x.status === 'pending_cancel') w.confirmCancel(x.clientOrderId);
                break;
              case 'refuseCancel':
                for (const x of w.journal.values()) if (x.status === 'pending_cancel') x.status = 'accepted';
                break;
              case 'outcome':
                w.outcomes.push({ kind: o.which, reason: 'random' });
                break;
              case 'resolve':
                for (const x of w.journal.values()) if (x.status === 'unknown') x.status = 'accepted';
                break;
            }
            s = w.advance(s);
            if (o.kind === 'time' && s.status === 'entering') {
              // a restart now and then: the persisted state resumed against the same journal
              s = w.carry(E.resume(JSON.parse(JSON.stringify(s)) as typeof s, w.inputs()));
            }
          }
          expect(w.violations).toEqual([]);
          // every entry limit within the bound computed from the quote at the leg's first attempt
          for (const leg of [0, 1]) {
            const places = w.places().filter((p) => p.purpose === 'entry' && p.leg === leg && p.orderType === 'limit');
            if (places.length === 0) continue;
            const q = w.placedAt.get(places[0]!.clientOrderId)!.quote!;
            const mid = (q.bid! + q.ask!) / 2;
            const side = places[0]!.side;
            const bound = side === 'buy' ? mid + cfg.frac * (q.ask! - mid) : mid - cfg.frac * (mid - q.bid!);
            for (const p of places) {
              if (side === 'buy') expect(p.limitPrice!).toBeLessThanOrEqual(bound + 1e-9);
              else expect(p.limitPrice!).toBeGreaterThanOrEqual(bound - 1e-9);
              // priced only on a fresh quote
              expect(w.placedAt.get(p.clientOrderId)!.quote!.fresh).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
