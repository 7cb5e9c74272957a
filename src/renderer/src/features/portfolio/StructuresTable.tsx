import { memo } from 'react';
import { usePortfolioView } from './view-state';
import { Button, Paper, Text, Title } from '@mantine/core';
import type { StructureView } from '@shared/contract';
import type { StructureLegView } from '@core/pnl/views';
import { useDeskStore } from '../../stores/desk-store';
import { useNowDerived } from '../../hooks/use-now';
import { structureStaleNow } from './stale-now';
import { HIDE_MISSING_LEG, MarkAge, StructureAge, useMissingLegsAllOmitted } from '../../components/StructureAges';
import { decimalTone, formatMoney, formatPct, formatPrice, formatQty, numberTone, plural } from '../format/format';
import { UNKNOWN_REASON_LABEL, WARNING_LABEL, uniqueWarnings, warningSeverity } from './warnings';

/** Structure ids in name order; changes only when the structure definitions do (not on ticks). */
let lastDefs: unknown = null;
let lastIds: string[] = [];
function structureIds(defs: Record<string, { id: string; name: string }>): string[] {
  if (defs !== lastDefs) {
    lastDefs = defs;
    lastIds = Object.values(defs)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => d.id);
  }
  return lastIds;
}


function Warnings({ ws, hide }: { ws: StructureView['warnings']; hide?: ReadonlySet<string> }) {
  const list = uniqueWarnings(ws).filter((w) => !hide?.has(w.code));
  return (
    <span data-testid="warnings" title={list.map((w) => w.message).join('\n')}>
      {list.map((w) => (
        <span key={w.code} className={`warn-chip warn-${warningSeverity(w.code)}`} data-code={w.code}>
          {WARNING_LABEL[w.code]}
        </span>
      ))}
    </span>
  );
}

function Money({ value, decimals, signed, testId }: { value: string | null; decimals: number; signed?: boolean; testId?: string }) {
  const tone = signed ? decimalTone(value) : value === null ? 'unknown' : 'none';
  return (
    <span className={`tone-${tone}`} data-testid={testId} data-tone={tone}>
      {formatMoney(value, decimals, { signed })}
    </span>
  );
}

/** A leg's age is its mark's: from the receive time of what the mark is computed from (book or last trade). */
function LegAge({ symbol, clockOffsetMs, staleMs }: { symbol: string; clockOffsetMs: number; staleMs: number }) {
  return <MarkAge symbol={symbol} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />;
}

function LegRow({ leg, structureId, decimals, clockOffsetMs, staleMs }: { leg: StructureLegView; structureId: string; decimals: number; clockOffsetMs: number; staleMs: number }) {
  // A leg the plan left out: its age says "not subscribed"; no red "no quote" chip.
  const omitted = useDeskStore((st) => st.plan?.omitted.includes(leg.symbol) ?? false);
  return (
    <tr data-testid={`leg-row-${leg.symbol}`} data-structure={structureId} className="leg-row">
      <td />
      <td className="mono" style={{ fontSize: 12, paddingLeft: 18 }}>
        ↳ {leg.symbol}
      </td>
      <td className="num" title="signed quantity">
        {formatQty(leg.quantity)}
      </td>
      <td className="num" title="entry price" style={{ fontSize: 12 }}>
        @ {formatPrice(leg.entry_price)}
      </td>
      <td className="num" style={{ fontSize: 12 }}>
        <span className="tone-zero">
          {formatPrice(leg.bid)} / {formatPrice(leg.ask)} →{' '}
        </span>
        {formatPrice(leg.mark)}
        <span className="tone-zero"> = </span>
        <Money value={leg.mark_value} decimals={decimals} />
      </td>
      <td className="num" title={leg.pnl === null && leg.unknown_reason ? UNKNOWN_REASON_LABEL[leg.unknown_reason] : undefined}>
        <Money value={leg.pnl} decimals={decimals} signed />
      </td>
      <td />
      <td>
        <LegAge symbol={leg.symbol} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
      </td>
      <td>
        <Warnings ws={leg.warnings} hide={omitted ? HIDE_MISSING_LEG : undefined} />
      </td>
    </tr>
  );
}

/** One structure (and its legs when expanded); subscribes to its own view only. */
const StructureRows = memo(function StructureRows({ id }: { id: string }) {
  const s = useDeskStore((st) => st.structures[id]);
  const clockOffsetMs = useDeskStore((st) => st.clockOffsetMs);
  const staleMs = useDeskStore((st) => st.valuation.staleAfterMs);
  const expanded = usePortfolioView((v) => v.expanded[id] === true);
  const selected = usePortfolioView((v) => v.payoffStructure === id);
  const toggle = usePortfolioView((v) => v.toggleExpanded);
  const onSelect = usePortfolioView((v) => v.selectPayoff);
  // Net figures computed at the last tick are unknown once the oldest leg quote has gone stale.
  const staleNow = useNowDerived((now) => (s ? structureStaleNow(s.as_of, s.net_pnl, now + clockOffsetMs, staleMs) : false));
  // Legs the subscription plan left out are "not subscribed" (the age says so), not a red missing leg.
  const allMissingOmitted = useMissingLegsAllOmitted(s?.legs);
  if (!s) return null;
  const legSymbols = s.legs.map((l) => l.symbol);
  const netPnl = staleNow ? null : s.net_pnl;
  const netMark = staleNow ? null : s.net_mark;
  const pctTone = staleNow ? 'unknown' : numberTone(s.net_pnl_pct);
  return (
    <>
      <tr data-testid={`structure-row-${s.id}`} data-expanded={expanded} data-selected={selected}>
        <td>
          <button
            type="button"
            className="row-toggle"
            aria-label={expanded ? 'Collapse legs' : 'Expand legs'}
            aria-expanded={expanded}
            data-testid="structure-toggle"
            onClick={() => toggle(id)}
          >
            {expanded ? '▾' : '▸'}
          </button>
        </td>
        <td style={{ fontWeight: 600 }} title={s.name}>
          {s.name}
        </td>
        <td className="num">{s.legs.length}</td>
        <td className="num" title="negative = credit received">
          {formatMoney(s.net_debit, s.currency_decimals)}
        </td>
        <td className="num" data-testid="net-mark">
          {netMark === null ? <span className="tone-unknown">unknown{staleNow ? ' (stale)' : ` (${plural(s.unknown_legs, 'leg')})`}</span> : formatMoney(netMark, s.currency_decimals)}
        </td>
        <td className="num" data-testid="net-pnl" style={{ fontWeight: 700 }}>
          {netPnl === null ? (
            <span className="tone-unknown" data-tone="unknown">
              unknown ({staleNow ? 'stale quotes' : plural(s.unknown_legs, 'leg')})
            </span>
          ) : (
            <Money value={netPnl} decimals={s.currency_decimals} signed />
          )}
        </td>
        <td className={`num tone-${pctTone === 'unknown' ? 'zero' : pctTone}`}>{staleNow ? '—' : formatPct(s.net_pnl_pct, 2, { signed: true })}</td>
        <td>
          <StructureAge legs={legSymbols} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
        </td>
        <td>
          <Button size="compact-xs" variant={selected ? 'filled' : 'light'} mr={6} data-testid="structure-payoff" onClick={() => onSelect(s.id)}>
            Payoff
          </Button>
          <Warnings ws={s.warnings} hide={allMissingOmitted ? HIDE_MISSING_LEG : undefined} />
        </td>
      </tr>
      {expanded && s.legs.map((leg) => <LegRow key={leg.symbol} leg={leg} structureId={s.id} decimals={s.currency_decimals} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />)}
    </>
  );
});

/**
 * Multi-leg structures: net mark and net P&L, legs expandable; "Payoff" selects one for the chart.
 * Plain table elements (not Mantine's) because these rows re-render on every tick.
 */
export function StructuresTable() {
  const ids = useDeskStore((s) => structureIds(s.structureDefs));
  return (
    <Paper withBorder p="sm" className="panel" data-testid="structures-panel">
      <Title order={5} mb={6}>
        Structures{' '}
        <Text span c="dimmed" size="sm">
          ({ids.length})
        </Text>
      </Title>
      {ids.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="structures-empty">
          No multi-leg structures in the portfolio.
        </Text>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="plain-table" data-testid="structures-table" style={{ minWidth: 900 }}>
            <thead>
              <tr>
                <th style={{ width: 30 }} />
                <th>Structure</th>
                <th className="num">Legs</th>
                <th className="num">Net debit</th>
                <th className="num">Net mark</th>
                <th className="num">Net P&L</th>
                <th className="num">P&L %</th>
                <th>Age</th>
                <th>Payoff · warnings</th>
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => (
                <StructureRows key={id} id={id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Paper>
  );
}
