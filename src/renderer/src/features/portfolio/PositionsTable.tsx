import { memo, useMemo, useRef } from 'react';
import { usePortfolioView } from './view-state';
import { Button, Group, Paper, SegmentedControl, Text, Title } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LivePosition } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { quoteOfSymbol } from '../../stores/slices/quote-key';
import { useNowDerived } from '../../hooks/use-now';
import { isStaleNow } from './stale-now';
import { QuoteAge, QuoteSourceChip } from '../../components/QuoteAge';
import { HIDE_MISSING_LEG, MarkAge, StructureAge, useMissingLegsAllOmitted } from '../../components/StructureAges';
import { notSubscribedText } from '../health/freshness';
import { contractLabel, decimalTone, formatDte, formatMoney, formatPct, formatPoints, formatPrice, formatQty, numberTone, plural } from '../format/format';
import type { PositionFilter } from './position-keys';
import { UNKNOWN_REASON_LABEL, WARNING_LABEL, uniqueWarnings, warningSeverity } from './warnings';
import { makeRowsSelector, rowKey, type PositionLayout, type TableRow } from './grouped-rows';
import { structureStaleNow } from './stale-now';
import { deltaCell, deltaStaleNow } from './delta-cell';
import { markTimeOf } from '@core/market/mark';
import { deltaBaseOf } from '@core/pnl/revalue';
import type { WarningView } from '@core/pnl/views';
import { tablePositionsText } from './counts';

export const ROW_HEIGHT = 34;
const HEADER_HEIGHT = 30;
/** Symbol · Qty · Avg cost · Bid/Ask · Mark · Spread · P&L · P&L pts · P&L% · DTE · Δ · Age · Warnings */
// AGE is wide enough for a structure's short age ("not subscribed (4 legs)" on two lines); WARNINGS
// for a two-line "not subscribed: over the limit of N" chip at 1280.
export const POSITION_COLUMNS = 'minmax(180px,2fr) 56px 80px 110px 74px 58px 96px 66px 68px 44px 46px 96px minmax(150px,1fr)';
const HEADER_CELLS: { label: string; title?: string }[] = [
  { label: 'Symbol' },
  { label: 'Qty' },
  { label: 'Avg cost', title: 'average entry price; on a structure row, the net debit (negative = credit)' },
  { label: 'Bid / Ask' },
  { label: 'Mark', title: 'on a structure row: the net mark (Σ mark × signed qty × multiplier)' },
  { label: 'Spread' },
  { label: 'P&L' },
  { label: 'P&L pts', title: 'P&L in points: price difference per unit (mark − entry long, entry − mark short); a structure: per one structure' },
  { label: 'P&L %' },
  { label: 'DTE' },
  { label: 'Δ' },
  { label: 'Age' },
  { label: 'Warnings' },
];

const selectRows = makeRowsSelector();

function Header() {
  return (
    <div className="vt-row vt-head" style={{ gridTemplateColumns: POSITION_COLUMNS, height: HEADER_HEIGHT }} role="row">
      {HEADER_CELLS.map((c, i) => (
        <div key={c.label} className={`vt-cell ${i > 0 && i < HEADER_CELLS.length - 2 ? 'num' : ''}`} role="columnheader" title={c.title}>
          {c.label}
        </div>
      ))}
    </div>
  );
}

function PointsCell({ points, unknown }: { points: number | null; unknown: boolean }) {
  const tone = unknown ? 'unknown' : numberTone(points);
  return (
    <div className={`vt-cell num tone-${tone === 'unknown' ? 'zero' : tone}`} data-testid="pnl-points" data-tone={tone}>
      {unknown ? '—' : formatPoints(points)}
    </div>
  );
}

function PnlCell({ p, staleNow, notSubscribed }: { p: LivePosition; staleNow: boolean; notSubscribed: number | null }) {
  if (p.status === 'CLOSED') {
    const tone = decimalTone(p.realized_pnl);
    return (
      <span className={`num tone-${tone}`} data-testid="pnl" data-tone={tone} title="realized (closed)">
        {formatMoney(p.realized_pnl, p.currency_decimals, { signed: true })}
      </span>
    );
  }
  if (notSubscribed !== null) {
    return (
      <span className="num tone-unknown" data-testid="pnl" data-tone="unknown" data-reason="not_subscribed" title={`P&L unknown: ${notSubscribedText(notSubscribed)}`}>
        unknown
      </span>
    );
  }
  if (p.unrealized_value === null || staleNow) {
    const reason = staleNow ? 'stale_quote' : p.unknown_reason;
    return (
      <span className="num tone-unknown" data-testid="pnl" data-tone="unknown" data-reason={reason ?? ''} title={reason ? `P&L unknown: ${UNKNOWN_REASON_LABEL[reason]}` : 'P&L unknown'}>
        unknown
      </span>
    );
  }
  const tone = decimalTone(p.unrealized_value);
  return (
    <span className={`num tone-${tone}`} data-testid="pnl" data-tone={tone} title={`unrealized; realized ${formatMoney(p.realized_pnl, p.currency_decimals, { signed: true })}`}>
      {formatMoney(p.unrealized_value, p.currency_decimals, { signed: true })}
    </span>
  );
}

/**
 * The delta cell subscribes to the latest position: a tick that moved only the underlying (a new
 * model delta, nothing else) re-renders this cell, not the row.
 */
const DeltaCellView = memo(function DeltaCellView({ rowKey }: { rowKey: string }) {
  const p = useDeskStore((s) => s.positions[rowKey]);
  const clockOffsetMs = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  // A model delta is unknown once the older of its two quotes (option, underlying) is stale now.
  const deltaStale = useNowDerived((now) => (p ? deltaStaleNow(p, now + clockOffsetMs, staleMs) : null));
  if (!p) return null;
  const delta = deltaCell(p, deltaStale);
  return (
    <div className="vt-cell num" data-testid="delta" title={delta.title} data-reason={delta.reason ?? undefined}>
      {delta.text}
    </div>
  );
});

/** One row: subscribes to its own position, so a tick re-renders only the rows whose position changed. */
const PositionRow = memo(function PositionRow({ rowKey, top, structure }: { rowKey: string; top: number; structure: string | null }) {
  // Everything but the delta: unchanged by a tick that moved only the option's underlying.
  const p = useDeskStore((s) => deltaBaseOf(s.positions[rowKey]));
  const clockOffsetMs = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  // The stored value was computed at the last tick; if its quote has aged past the threshold since
  // (stream stopped or stalled), it is unknown now.
  const staleByAge = useNowDerived((now) => (p ? isStaleNow(p, now + clockOffsetMs, staleMs) : false));
  // A contract the venue does not list gets no quotes: said so, not "stale" (issue 12 item 4).
  const unlisted = useDeskStore((s) => {
    const sym = s.positions[rowKey]?.symbol;
    return sym !== undefined && (s.streamer?.unlisted_contracts?.includes(sym) ?? false);
  });
  // Left out by the subscription plan (over the option-contract limit): the configured limit, else null.
  const notSubscribed = useDeskStore((s) => (p && s.plan !== null && s.plan.omitted.includes(p.symbol) ? s.plan.max_option_contracts : null));
  if (!p) return null;
  // The plan rule wins: a left-out contract is "not subscribed", never "stale" (issue 12 item 8).
  const staleNow = staleByAge && notSubscribed === null;
  const open = p.status !== 'CLOSED';
  const unknown = open && (p.unrealized_value === null || staleNow || notSubscribed !== null);
  const pctTone = unknown ? 'unknown' : numberTone(p.unrealized_pct);
  return (
    <div
      className="vt-row vt-body"
      role="row"
      data-testid={`position-row-${p.key}`}
      data-symbol={p.symbol}
      data-status={p.status}
      data-structure={structure ?? undefined}
      style={{ gridTemplateColumns: POSITION_COLUMNS, height: ROW_HEIGHT, position: 'absolute', top, left: 0, right: 0 }}
    >
      <div className={`vt-cell${structure ? ' leg-indent' : ''}`} data-testid="symbol" title={`${p.symbol}${p.underlying && p.underlying !== p.symbol ? ` (${p.underlying})` : ''} · ${p.position_id}${p.re_entry_num ? ` re-entry ${p.re_entry_num}` : ''} · ${p.status}`}>
        {structure && (
          <span className="tone-zero" aria-hidden>
            ↳{' '}
          </span>
        )}
        <span style={{ fontWeight: structure ? 500 : 600 }}>{contractLabel(p.symbol)}</span>
        {p.status !== 'OPEN' && (
          <span className="tone-zero" style={{ marginLeft: 6, fontSize: 11 }}>
            {p.status.toLowerCase()}
          </span>
        )}
      </div>
      <div className="vt-cell num" data-testid="qty">
        {formatQty(open ? p.quantity_remaining : p.quantity_total, p.side)}
      </div>
      <div className="vt-cell num" data-testid="avg-cost">
        {formatPrice(open ? p.open_price : p.entry_price)}
      </div>
      <div className="vt-cell num" data-testid="bid-ask">
        <span data-testid="bid">{formatPrice(p.bid)}</span>
        <span className="tone-zero"> / </span>
        <span data-testid="ask">{formatPrice(p.ask)}</span>
      </div>
      <div className="vt-cell num" data-testid="mark" title={p.mark_source ? `mark: ${p.mark_source} (${p.mark_policy})` : undefined}>
        {formatPrice(p.mark)}
      </div>
      <div className="vt-cell num" data-testid="spread">
        {formatPct(p.spread_pct, 1)}
      </div>
      <div className="vt-cell num">
        <PnlCell p={p} staleNow={staleNow} notSubscribed={open ? notSubscribed : null} />
      </div>
      <PointsCell points={open ? p.unrealized_points : null} unknown={!open || unknown} />
      <div className={`vt-cell num tone-${pctTone === 'unknown' ? 'zero' : pctTone}`} data-testid="pnl-pct">
        {unknown ? '—' : formatPct(p.unrealized_pct, 2, { signed: true })}
      </div>
      <div className="vt-cell num" data-testid="dte">
        {formatDte(p.dte)}
      </div>
      <DeltaCellView rowKey={rowKey} />
      <div className="vt-cell num">
        {!open ? (
          <span className="tone-zero">closed</span>
        ) : p.unknown_reason === 'expired' ? (
          <span className="tone-unknown" data-testid="age" data-age-level="expired" title="the contract has expired: no market values it">
            expired
          </span>
        ) : unlisted ? (
          <span className="tone-unknown" data-testid="age" data-age-level="unlisted" title="the venue does not list this contract (unknown to it, or not tradable): it sends no quotes">
            not listed by venue
          </span>
        ) : (
          <QuoteAge symbol={p.symbol} receivedAt={p.quote_received_at} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
        )}
      </div>
      <div className="vt-cell" data-testid="warnings" title={p.warnings.map((w) => w.message).join('\n')}>
        {open && <QuoteSourceChip symbol={p.symbol} />}
        {open && notSubscribed !== null && (
          <span className="warn-chip chip-wrap warn-info" data-code="not_subscribed" data-testid="not-subscribed" title={`${notSubscribedText(notSubscribed)}: the subscription plan left this contract out, so no stream prices it`}>
            {notSubscribedText(notSubscribed)}
          </span>
        )}
        {staleNow && !p.warnings.some((w) => w.code === 'stale_quote') && (
          <span className="warn-chip warn-severe" data-code="stale_quote">
            {WARNING_LABEL.stale_quote}
          </span>
        )}
        {p.warnings.map((w) =>
          // "no quote" is already what the age column says; the chip would only repeat it.
          w.code === 'missing_quote' ? null : (
            <span key={w.code} className={`warn-chip warn-${warningSeverity(w.code)}`} data-code={w.code}>
              {WARNING_LABEL[w.code]}
            </span>
          ),
        )}
      </div>
    </div>
  );
});


function Chips({ ws, hide }: { ws: readonly WarningView[]; hide?: ReadonlySet<string> }) {
  return (
    <>
      {uniqueWarnings(ws)
        .filter((w) => !hide?.has(w.code))
        .map((w) => (
        <span key={w.code} className={`warn-chip warn-${warningSeverity(w.code)}`} data-code={w.code} title={w.message}>
          {WARNING_LABEL[w.code]}
        </span>
      ))}
    </>
  );
}

/**
 * A structure's row in the grouped table: its net debit, net mark, net P&L (currency, points, %)
 * and the age of its oldest leg quote; its legs follow it. Subscribes to its own structure view.
 */
const StructureRow = memo(function StructureRow({ id, top }: { id: string; top: number }) {
  const s = useDeskStore((st) => st.structures[id]);
  const clockOffsetMs = useDeskStore((st) => st.clockOffsetMs);
  const staleMs = useDeskStore((st) => st.valuation.staleAfterMs);
  const collapsed = usePortfolioView((v) => v.collapsed[id] === true);
  const toggle = usePortfolioView((v) => v.toggleCollapsed);
  const selected = usePortfolioView((v) => v.payoffStructure === id);
  const onSelect = usePortfolioView((v) => v.selectPayoff);
  // Net figures computed at the last tick are unknown once the oldest leg quote has gone stale.
  const staleNow = useNowDerived((now) => (s ? structureStaleNow(s.as_of, s.net_pnl, now + clockOffsetMs, staleMs) : false));
  const allMissingOmitted = useMissingLegsAllOmitted(s?.legs);
  if (!s) return null;
  const legSymbols = s.legs.map((l) => l.symbol);
  const netPnl = staleNow ? null : s.net_pnl;
  const netMark = staleNow ? null : s.net_mark;
  const unknownWhy = staleNow ? 'stale quotes' : plural(s.unknown_legs, 'leg');
  const pnlTone = decimalTone(netPnl);
  const pctTone = netPnl === null ? 'unknown' : numberTone(s.net_pnl_pct);
  return (
    <div
      className="vt-row vt-body structure-row"
      role="row"
      data-testid={`structure-row-${s.id}`}
      data-expanded={!collapsed}
      data-selected={selected}
      style={{ gridTemplateColumns: POSITION_COLUMNS, height: ROW_HEIGHT, position: 'absolute', top, left: 0, right: 0 }}
    >
      <div className="vt-cell" title={s.name}>
        <button
          type="button"
          className="row-toggle"
          aria-label={collapsed ? `Show the legs of ${s.name}` : `Hide the legs of ${s.name}`}
          aria-expanded={!collapsed}
          data-testid="structure-toggle"
          onClick={() => toggle(id)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
        <span style={{ fontWeight: 700 }}>{s.name}</span>
      </div>
      <div className="vt-cell num tone-zero" data-testid="structure-legs">
        {plural(s.legs.length, 'leg')}
      </div>
      <div className="vt-cell num" title="net debit (negative = credit received)" data-testid="net-debit">
        {formatMoney(s.net_debit, s.currency_decimals)}
      </div>
      <div className="vt-cell" />
      <div className="vt-cell num" data-testid="net-mark" title="net mark: Σ mark × signed qty × multiplier">
        {netMark === null ? <span className="tone-unknown">unknown</span> : formatMoney(netMark, s.currency_decimals)}
      </div>
      <div className="vt-cell" />
      <div className="vt-cell num" data-testid="net-pnl" style={{ fontWeight: 700 }} title={netPnl === null ? `net P&L unknown (${unknownWhy})` : 'net P&L = net mark − net debit'}>
        {netPnl === null ? (
          <span className="tone-unknown" data-tone="unknown">
            unknown
          </span>
        ) : (
          <span className={`tone-${pnlTone}`} data-tone={pnlTone}>
            {formatMoney(netPnl, s.currency_decimals, { signed: true })}
          </span>
        )}
      </div>
      <PointsCell points={s.net_pnl_points} unknown={netPnl === null} />
      <div className={`vt-cell num tone-${pctTone === 'unknown' ? 'zero' : pctTone}`} data-testid="net-pnl-pct">
        {netPnl === null ? '—' : formatPct(s.net_pnl_pct, 2, { signed: true })}
      </div>
      <div className="vt-cell" />
      <div className="vt-cell" />
      <div className="vt-cell num">
        <StructureAge legs={legSymbols} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
      </div>
      <div className="vt-cell" data-testid="warnings">
        <Button size="compact-xs" variant={selected ? 'filled' : 'light'} mr={6} data-testid="structure-payoff" onClick={() => onSelect(s.id)}>
          Payoff
        </Button>
        {staleNow && !s.warnings.some((w) => w.code === 'stale_quote') && (
          <span className="warn-chip warn-severe" data-code="stale_quote">
            {WARNING_LABEL.stale_quote}
          </span>
        )}
        <Chips ws={s.warnings} hide={allMissingOmitted ? HIDE_MISSING_LEG : undefined} />
      </div>
    </div>
  );
});

/** The age of one symbol's mark inputs (a leg with no position of its own). */
function SymbolAge({ symbol, clockOffsetMs, staleMs }: { symbol: string; clockOffsetMs: number; staleMs: number }) {
  return <MarkAge symbol={symbol} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />;
}

/**
 * A leg of a structure defined only by its net debit: it has no entry price (hence no P&L) of its
 * own — its quote, mark and value still show, and its P&L is in the structure's net.
 */
const StructureLegRow = memo(function StructureLegRow({ structure, index, top }: { structure: string; index: number; top: number }) {
  const leg = useDeskStore((st) => st.structures[structure]?.legs[index]);
  const clockOffsetMs = useDeskStore((st) => st.clockOffsetMs);
  const staleMs = useDeskStore((st) => st.valuation.staleAfterMs);
  // Stale by its mark's inputs (the book, or the last trade under `last`), as the structure is valued.
  const receivedAt = useDeskStore((st) => {
    const q = leg ? quoteOfSymbol(st, leg.symbol) : undefined;
    return q ? markTimeOf(q, st.valuation.markPolicy) : null;
  });
  const staleNow = useNowDerived((now) => receivedAt !== null && now + clockOffsetMs - receivedAt > staleMs);
  // A leg the plan left out: its age says "not subscribed"; no red "no quote" chip.
  const omitted = useDeskStore((st) => (leg && st.plan?.omitted.includes(leg.symbol) ? st.plan.max_option_contracts : null));
  if (!leg) return null;
  const noEntry = leg.entry_price === null;
  return (
    <div
      className="vt-row vt-body"
      role="row"
      data-testid={`leg-row-${leg.symbol}`}
      data-symbol={leg.symbol}
      data-structure={structure}
      style={{ gridTemplateColumns: POSITION_COLUMNS, height: ROW_HEIGHT, position: 'absolute', top, left: 0, right: 0 }}
    >
      <div className="vt-cell leg-indent" title={`${leg.symbol} · leg ${index + 1} of ${structure}`}>
        <span className="tone-zero" aria-hidden>
          ↳{' '}
        </span>
        <span style={{ fontWeight: 500 }}>{contractLabel(leg.symbol)}</span>
      </div>
      <div className="vt-cell num" data-testid="qty">
        {formatQty(leg.quantity)}
      </div>
      <div className="vt-cell num tone-zero" data-testid="avg-cost" title={noEntry ? "no entry price of its own: the structure's net debit covers the legs" : undefined}>
        {noEntry ? 'in net' : formatPrice(leg.entry_price)}
      </div>
      <div className="vt-cell num" data-testid="bid-ask">
        <span data-testid="bid">{formatPrice(leg.bid)}</span>
        <span className="tone-zero"> / </span>
        <span data-testid="ask">{formatPrice(leg.ask)}</span>
      </div>
      <div className="vt-cell num" data-testid="mark" title={leg.mark_value !== null ? `value ${formatMoney(leg.mark_value, 2)}` : undefined}>
        {formatPrice(leg.mark)}
      </div>
      <div className="vt-cell" />
      <div className="vt-cell num" data-testid="pnl" title={noEntry ? "in the structure's net P&L" : leg.unknown_reason ? UNKNOWN_REASON_LABEL[leg.unknown_reason] : undefined}>
        {noEntry ? <span className="tone-zero">in net</span> : <span className={`tone-${decimalTone(leg.pnl)}`}>{formatMoney(leg.pnl, 2, { signed: true })}</span>}
      </div>
      <PointsCell points={leg.pnl_points} unknown={leg.pnl_points === null} />
      <div className="vt-cell" />
      <div className="vt-cell" />
      <div className="vt-cell" />
      <div className="vt-cell num">
        <SymbolAge symbol={leg.symbol} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
      </div>
      <div className="vt-cell" data-testid="warnings">
        {omitted !== null && (
          <span className="warn-chip chip-wrap warn-info" data-code="not_subscribed" data-testid="not-subscribed" title={`${notSubscribedText(omitted)}: the subscription plan left this contract out, so no stream prices it`}>
            {notSubscribedText(omitted)}
          </span>
        )}
        {staleNow && omitted === null && !leg.warnings.some((w) => w.code === 'stale_quote') && (
          <span className="warn-chip warn-severe" data-code="stale_quote">
            {WARNING_LABEL.stale_quote}
          </span>
        )}
        <Chips ws={leg.warnings} hide={omitted !== null ? HIDE_MISSING_LEG : undefined} />
      </div>
    </div>
  );
});

function Row({ row, top }: { row: TableRow; top: number }) {
  if (row.kind === 'structure') return <StructureRow id={row.id} top={top} />;
  if (row.kind === 'leg') return <StructureLegRow structure={row.structure} index={row.index} top={top} />;
  return <PositionRow rowKey={row.key} top={top} structure={row.structure} />;
}

/**
 * The positions table, virtualized with @tanstack/react-virtual: only the visible rows (plus a few)
 * exist in the DOM, so 500 positions cost what ~25 do. Grouped (default): each structure's row with
 * its legs under it, then the standalone positions; flat: one row per position.
 */
export function PositionsTable({ minHeight = 300 }: { minHeight?: number }) {
  const filter = usePortfolioView((v) => v.filter);
  const setFilter = usePortfolioView((v) => v.setFilter);
  const layout = usePortfolioView((v) => v.layout);
  const setLayout = usePortfolioView((v) => v.setLayout);
  const collapsed = usePortfolioView((v) => v.collapsed);
  const records = useDeskStore((s) => s.records);
  const defs = useDeskStore((s) => s.structureDefs);
  const rows = selectRows(records, defs, filter, layout, collapsed);
  const positions = useMemo(() => Object.values(records).filter((r) => filter === 'all' || r.status !== 'CLOSED').length, [records, filter]);
  const structures = layout === 'grouped' ? Object.keys(defs).length : 0;
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change as it measures; this component must not be auto-memoized
  // (it re-renders only when rows or the scroll position change, which is what we want).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6, getItemKey: (i) => rowKey(rows[i]!) });
  // As tall as the rows need, up to what the window leaves below the header, banners and totals
  // (at least `minHeight`): 1920×1080 shows ~20 rows, 1280×800 ~12.
  const content = HEADER_HEIGHT + Math.max(1, rows.length) * ROW_HEIGHT + 2;
  const height = useMemo(() => `min(${content}px, max(${minHeight}px, calc(100vh - 330px)))`, [content, minHeight]);
  return (
    <Paper withBorder p="sm" className="panel" data-testid="positions-panel">
      <Group justify="space-between" mb={6}>
        <Title order={5}>
          Positions{' '}
          <Text span c="dimmed" size="sm" data-testid="positions-count" data-count={positions}>
            ({tablePositionsText(positions, structures)})
          </Text>
        </Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={layout}
            onChange={(v) => setLayout(v as PositionLayout)}
            data={[
              { label: 'By structure', value: 'grouped' },
              { label: 'Flat', value: 'flat' },
            ]}
            data-testid="positions-layout"
            aria-label="Group positions by structure or list them flat"
          />
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => setFilter(v as PositionFilter)}
            data={[
              { label: 'Open', value: 'open' },
              { label: 'All (incl. closed)', value: 'all' },
            ]}
            data-testid="positions-filter"
          />
        </Group>
      </Group>
      <div ref={scroller} style={{ height, overflow: 'auto', position: 'relative', contain: 'strict' }} data-testid="positions-table" role="table" data-rows={rows.length} data-layout={layout}>
        <div style={{ minWidth: 1180 }}>
          <Header />
          {rows.length === 0 ? (
            <Text c="dimmed" size="sm" p="sm" data-testid="positions-empty">
              No {filter === 'open' ? 'open ' : ''}positions — load a portfolio.json above.
            </Text>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((v) => (
                <Row key={v.key} row={rows[v.index]!} top={v.start} />
              ))}
            </div>
          )}
        </div>
      </div>
    </Paper>
  );
}
