import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupRows, makeRowsSelector, rowKey } from '../../../../../src/renderer/src/features/portfolio/grouped-rows';
import { LAYOUT_STORAGE_KEY, readLayout } from '../../../../../src/renderer/src/features/portfolio/view-state';
import { parsePortfolio } from '../../../../../src/core/model/portfolio-file';
import { portfolioFills, portfolioStructures } from '../../../../../src/core/pnl/portfolio';
import { FifoLedger } from '../../../../../src/core/pnl/fifo';
import { positionRecordOf, structureDefToWire } from '../../../../../src/core/pnl/revalue';
import { multiplier } from '../../../../../src/core/model/money';
import type { PositionRecord, StructureDefWire } from '../../../../../src/shared/contract';
import { sim } from '../../../../helpers/ids';

/** The sample portfolio as the renderer's store holds it: records and structure definitions. */
function sample(): { records: Record<string, PositionRecord>; defs: Record<string, StructureDefWire> } {
  const r = parsePortfolio(readFileSync(resolve(import.meta.dirname, '../../../../../resources/portfolio.sample.json'), 'utf8'));
  if (!r.ok) throw new Error('sample');
  const ledger = new FifoLedger({ multiplierOf: (s) => (s.length > 6 ? multiplier('100') : multiplier('1')) });
  for (const f of portfolioFills(r.portfolio)) ledger.apply(f);
  const records: Record<string, PositionRecord> = {};
  for (const snap of ledger.positions()) {
    const rec = positionRecordOf(snap, sim(snap.symbol), null, { source: 'portfolio', entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null });
    records[rec.key] = rec;
  }
  const defs: Record<string, StructureDefWire> = {};
  for (const d of portfolioStructures(r.portfolio)) defs[d.id] = structureDefToWire(d);
  return { records, defs };
}

const describeRow = (r: ReturnType<typeof groupRows>[number]) =>
  r.kind === 'structure' ? `S ${r.id}` : r.kind === 'leg' ? `  leg ${r.symbol}` : r.structure ? `  pos ${r.key}` : `pos ${r.key}`;

describe('positions grouped by structure', () => {
  it("puts each structure's legs under its row, a net_debit-only straddle's legs too, and standalone positions flat after", () => {
    const { records, defs } = sample();
    const rows = groupRows(records, defs, 'open', 'grouped', {}).map(describeRow);
    expect(rows).toEqual([
      'S aapl-dec-straddle',
      // defined only by net_debit: no positions of its own, its legs still show
      '  leg AAPL261218C00230000',
      '  leg AAPL261218P00230000',
      'S qqq-dec-bull-call',
      '  pos qqq-dec-bull-call/leg0#0',
      '  pos qqq-dec-bull-call/leg1#0',
      'S spy-dec-ic',
      '  pos spy-dec-ic/leg0#0',
      '  pos spy-dec-ic/leg1#0',
      '  pos spy-dec-ic/leg2#0',
      '  pos spy-dec-ic/leg3#0',
      'pos aapl-shares#0',
      'pos aapl-dec-240c#0',
      'pos qqq-dec-480p-short#0',
      'pos spy-shares#0',
    ]);
  });

  it('a collapsed structure keeps its row and hides its legs; flat lists every position once, no structure rows', () => {
    const { records, defs } = sample();
    const rows = groupRows(records, defs, 'open', 'grouped', { 'spy-dec-ic': true }).map(describeRow);
    expect(rows).toContain('S spy-dec-ic');
    expect(rows.filter((r) => r.includes('spy-dec-ic/'))).toEqual([]);
    const flat = groupRows(records, defs, 'open', 'flat', {});
    expect(flat.every((r) => r.kind === 'position' && r.structure === null)).toBe(true);
    expect(flat).toHaveLength(Object.keys(records).length);
  });

  it('a closed leg is hidden under "open" but does not turn into a leg without a position', () => {
    const { records, defs } = sample();
    const k = 'spy-dec-ic/leg0#0';
    const closed = { ...records, [k]: { ...records[k]!, status: 'CLOSED' as const } };
    const open = groupRows(closed, defs, 'open', 'grouped', {}).map(describeRow);
    expect(open).not.toContain(`  pos ${k}`);
    expect(open).not.toContain('  leg SPY261218P00550000');
    expect(groupRows(closed, defs, 'all', 'grouped', {}).map(describeRow)).toContain(`  pos ${k}`);
  });

  it('the row list is the same array until records, definitions, filter, layout or folding change (ticks do not rebuild it)', () => {
    const { records, defs } = sample();
    const sel = makeRowsSelector();
    const a = sel(records, defs, 'open', 'grouped', {});
    expect(sel(records, defs, 'open', 'grouped', {})).toBe(a); // a new but equal collapsed object: same rows
    expect(sel(records, defs, 'open', 'flat', {})).not.toBe(a);
    expect(new Set(a.map(rowKey)).size).toBe(a.length);
  });

  it('the group / flat choice is remembered (localStorage), grouped by default', () => {
    expect(readLayout({ getItem: () => null })).toBe('grouped');
    expect(readLayout({ getItem: (k) => (k === LAYOUT_STORAGE_KEY ? 'flat' : null) })).toBe('flat');
    expect(
      readLayout({
        getItem: () => {
          throw new Error('denied');
        },
      }),
    ).toBe('grouped');
  });
});
