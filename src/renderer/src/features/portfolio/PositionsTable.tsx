import { memo, useMemo, useRef } from 'react';
import { usePortfolioView } from './view-state';
import { Group, Paper, SegmentedControl, Text, Title } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LivePosition } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useNowDerived } from '../../hooks/use-now';
import { isStaleNow } from './stale-now';
import { QuoteAge, QuoteSourceChip } from '../../components/QuoteAge';
import { notSubscribedText } from '../health/freshness';
import { decimalTone, formatDte, formatMoney, formatPct, formatPrice, formatQty, numberTone } from '../format/format';
import { makeKeysSelector, type PositionFilter } from './position-keys';
import { UNKNOWN_REASON_LABEL, WARNING_LABEL, warningSeverity } from './warnings';
import { deltaCell, deltaStaleNow } from './delta-cell';
import { deltaBaseOf } from '@core/pnl/revalue';

export const ROW_HEIGHT = 34;
const HEADER_HEIGHT = 30;
/** Symbol · Qty · Avg cost · Bid/Ask · Mark · Spread · P&L · P&L% · DTE · Δ · Age · Warnings */
export const POSITION_COLUMNS = 'minmax(150px,1.4fr) 64px 84px 132px 80px 64px 112px 74px 60px 52px 70px minmax(96px,1fr)';

const selectOpenKeys = makeKeysSelector('open');
const selectAllKeys = makeKeysSelector('all');

function Header() {
  const cells = ['Symbol', 'Qty', 'Avg cost', 'Bid / Ask', 'Mark', 'Spread', 'P&L', 'P&L %', 'DTE', 'Δ', 'Age', 'Warnings'];
  return (
    <div className="vt-row vt-head" style={{ gridTemplateColumns: POSITION_COLUMNS, height: HEADER_HEIGHT }} role="row">
      {cells.map((c, i) => (
        <div key={c} className={`vt-cell ${i > 0 && i < 11 ? 'num' : ''}`} role="columnheader">
          {c}
        </div>
      ))}
    </div>
  );
}

function PnlCell({ p, staleNow }: { p: LivePosition; staleNow: boolean }) {
  if (p.status === 'CLOSED') {
    const tone = decimalTone(p.realized_pnl);
    return (
      <span className={`num tone-${tone}`} data-testid="pnl" data-tone={tone} title="realized (closed)">
        {formatMoney(p.realized_pnl, p.currency_decimals, { signed: true })}
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
const PositionRow = memo(function PositionRow({ rowKey, top }: { rowKey: string; top: number }) {
  // Everything but the delta: unchanged by a tick that moved only the option's underlying.
  const p = useDeskStore((s) => deltaBaseOf(s.positions[rowKey]));
  const clockOffsetMs = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  // The stored value was computed at the last tick; if its quote has aged past the threshold since
  // (stream stopped or stalled), it is unknown now.
  const staleNow = useNowDerived((now) => (p ? isStaleNow(p, now + clockOffsetMs, staleMs) : false));
  // Left out by the subscription plan (over the option-contract limit): the configured limit, else null.
  const notSubscribed = useDeskStore((s) => (p && s.plan !== null && s.plan.omitted.includes(p.symbol) ? s.plan.max_option_contracts : null));
  if (!p) return null;
  const open = p.status !== 'CLOSED';
  const unknown = open && (p.unrealized_value === null || staleNow);
  const pctTone = unknown ? 'unknown' : numberTone(p.unrealized_pct);
  return (
    <div
      className="vt-row vt-body"
      role="row"
      data-testid={`position-row-${p.key}`}
      data-symbol={p.symbol}
      data-status={p.status}
      style={{ gridTemplateColumns: POSITION_COLUMNS, height: ROW_HEIGHT, position: 'absolute', top, left: 0, right: 0 }}
    >
      <div className="vt-cell" data-testid="symbol" title={`${p.symbol}${p.underlying && p.underlying !== p.symbol ? ` (${p.underlying})` : ''} · ${p.position_id}${p.re_entry_num ? ` re-entry ${p.re_entry_num}` : ''} · ${p.status}`}>
        <span className="mono" style={{ fontWeight: 600 }}>
          {p.symbol}
        </span>
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
        <PnlCell p={p} staleNow={staleNow} />
      </div>
      <div className={`vt-cell num tone-${pctTone === 'unknown' ? 'zero' : pctTone}`} data-testid="pnl-pct">
        {unknown ? '—' : formatPct(p.unrealized_pct, 2, { signed: true })}
      </div>
      <div className="vt-cell num" data-testid="dte">
        {formatDte(p.dte)}
      </div>
      <DeltaCellView rowKey={rowKey} />
      <div className="vt-cell num">{open ? <QuoteAge symbol={p.symbol} receivedAt={p.quote_received_at} clockOffsetMs={clockOffsetMs} staleMs={staleMs} /> : <span className="tone-zero">closed</span>}</div>
      <div className="vt-cell" data-testid="warnings" title={p.warnings.map((w) => w.message).join('\n')}>
        {open && <QuoteSourceChip symbol={p.symbol} />}
        {open && notSubscribed !== null && (
          <span className="warn-chip warn-info" data-code="not_subscribed" data-testid="not-subscribed" title={`${notSubscribedText(notSubscribed)}: the subscription plan left this contract out, so no stream prices it`}>
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

/**
 * The positions table, virtualized with @tanstack/react-virtual: only the visible rows (plus a few)
 * exist in the DOM, so 500 positions cost what ~25 do.
 */
export function PositionsTable({ minHeight = 300 }: { minHeight?: number }) {
  const filter = usePortfolioView((v) => v.filter);
  const setFilter = usePortfolioView((v) => v.setFilter);
  const keys = useDeskStore((s) => (filter === 'open' ? selectOpenKeys : selectAllKeys)(s.records));
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change as it measures; this component must not be auto-memoized
  // (it re-renders only when keys or the scroll position change, which is what we want).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: keys.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  // As tall as the rows need, up to what the window leaves below the header, banners and totals
  // (at least `minHeight`): 1920×1080 shows ~17 rows, 1280×800 ~9.
  const content = HEADER_HEIGHT + Math.max(1, keys.length) * ROW_HEIGHT + 2;
  const height = useMemo(() => `min(${content}px, max(${minHeight}px, calc(100vh - 440px)))`, [content, minHeight]);
  return (
    <Paper withBorder p="sm" className="panel" data-testid="positions-panel">
      <Group justify="space-between" mb={6}>
        <Title order={5}>
          Positions{' '}
          <Text span c="dimmed" size="sm" data-testid="positions-count">
            ({keys.length})
          </Text>
        </Title>
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
      <div ref={scroller} style={{ height, overflow: 'auto', position: 'relative', contain: 'strict' }} data-testid="positions-table" role="table" data-rows={keys.length}>
        <div style={{ minWidth: 1100 }}>
          <Header />
          {keys.length === 0 ? (
            <Text c="dimmed" size="sm" p="sm" data-testid="positions-empty">
              No {filter === 'open' ? 'open ' : ''}positions — load a portfolio.json above.
            </Text>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((v) => (
                <PositionRow key={keys[v.index]} rowKey={keys[v.index]!} top={v.start} />
              ))}
            </div>
          )}
        </div>
      </div>
    </Paper>
  );
}
