import { memo } from 'react';
import { Paper } from '@mantine/core';
import type { PnlSnapshotWire, PnlTotalsWire } from '@shared/contract';
import { useNowDerived } from '../../hooks/use-now';
import { decimalTone, formatAge, formatClock, formatCount, formatMoney } from '../format/format';
import { netDebitStructuresText } from './counts';

/**
 * "unknown (3 positions without a fresh quote)" — an unknown total is never shown as 0. With
 * structures valued as a whole in the totals, the count covers them too.
 */
export function unknownText(count: number, withStructures = false): string {
  const what = withStructures ? (count === 1 ? 'position or structure' : 'positions or structures') : count === 1 ? 'position' : 'positions';
  return `unknown (${count} ${what} without a fresh quote)`;
}

/** "excludes 1 expired contract": open positions in expired contracts are left out of unrealized (no market values them). */
export function expiredText(count: number): string {
  return `excludes ${count} expired ${count === 1 ? 'contract' : 'contracts'}`;
}

function Figure({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <div className="figure-label">{label}</div>
      {children}
    </div>
  );
}

function Money({ value, decimals, size }: { value: string; decimals: number; size: 'lg' | 'xl' }) {
  const tone = decimalTone(value);
  return (
    <div className={`figure-value figure-${size} tone-${tone}`} data-tone={tone}>
      {formatMoney(value, decimals, { signed: true })}
    </div>
  );
}

/** One currency's realized / unrealized / total (plain elements: this re-renders on every tick). */
const CurrencyTotals = memo(function CurrencyTotals({ t }: { t: PnlTotalsWire }) {
  return (
    <div className="totals-grid" data-testid={`totals-${t.currency}`}>
      <Figure label={`Realized (${t.currency})`} testId="realized">
        <Money value={t.realized_pnl} decimals={t.currency_decimals} size="lg" />
      </Figure>
      <Figure label="Unrealized" testId="unrealized">
        {t.unrealized_pnl === null ? (
          <div className="figure-value figure-sm wrap tone-unknown" data-tone="unknown" title={`known part: ${formatMoney(t.unrealized_known, t.currency_decimals, { signed: true })}`}>
            {unknownText(t.unknown_count, (t.open_structures ?? 0) > 0)}
          </div>
        ) : (
          <Money value={t.unrealized_pnl} decimals={t.currency_decimals} size="lg" />
        )}
        {(t.expired_excluded ?? 0) > 0 ? (
          <div className="figure-sm" data-testid="expired-excluded" title="an expired contract has no market: its unrealized P&L is not in the totals (its realized P&L is)">
            {expiredText(t.expired_excluded!)}
          </div>
        ) : null}
      </Figure>
      <Figure label="Total" testId="total">
        {t.total_pnl === null ? (
          <div className="figure-value figure-xl tone-unknown" data-tone="unknown">
            unknown
          </div>
        ) : (
          <Money value={t.total_pnl} decimals={t.currency_decimals} size="xl" />
        )}
      </Figure>
      <Figure label="Open positions" testId="open-positions">
        <div className="figure-value figure-lg" title="what the totals include: every open position (structure legs with a cost basis included) and every structure valued only from its net debit">
          {formatCount(t.open_positions)}
          {(t.open_structures ?? 0) > 0 ? (
            <span className="figure-sm" data-testid="open-structures">
              {' '}
              {netDebitStructuresText(t.open_structures ?? 0)}
            </span>
          ) : null}
        </div>
      </Figure>
    </div>
  );
});

/**
 * The age of the oldest quote behind the totals. When a total is unknown, the time prices were last
 * good (every total known) is kept and said as such, rather than "no fresh quote".
 */
function AsOf({ asOf, lastGood, allKnown, clockOffsetMs }: { asOf: number | null; lastGood: number | null; allKnown: boolean; clockOffsetMs: number }) {
  const age = useNowDerived((now) => (asOf === null ? null : formatAge(now + clockOffsetMs - asOf)));
  const goodAge = useNowDerived((now) => (lastGood === null ? null : formatAge(now + clockOffsetMs - lastGood)));
  return (
    <Figure label="As of (oldest quote)" testId="as-of">
      {!allKnown && lastGood !== null ? (
        <div className="figure-value figure-sm tone-unknown" data-testid="as-of-last-good">
          prices last good at {formatClock(lastGood - clockOffsetMs)} <span className="tone-zero">({goodAge} ago)</span>
        </div>
      ) : asOf === null ? (
        <div className="figure-value figure-sm tone-unknown">no fresh quote</div>
      ) : (
        <div className="figure-value figure-sm">
          {formatClock(asOf - clockOffsetMs)} <span className="tone-zero">({age} old)</span>
        </div>
      )}
    </Figure>
  );
}

/** Realized / unrealized / total per currency, and the age of the oldest quote behind them. */
export function TotalsBar({ totals, clockOffsetMs, lastGoodAsOf = null }: { totals: PnlSnapshotWire; clockOffsetMs: number; lastGoodAsOf?: number | null }) {
  const allKnown = totals.totals.every((t) => t.total_pnl !== null);
  return (
    <Paper withBorder p="sm" className="panel" data-testid="totals-bar">
      <div className="totals-bar">
        <div style={{ flex: 1 }}>
          {totals.totals.length === 0 ? <div className="tone-zero">No positions.</div> : totals.totals.map((t) => <CurrencyTotals key={t.currency} t={t} />)}
        </div>
        <AsOf asOf={totals.as_of} lastGood={allKnown ? null : lastGoodAsOf} allKnown={allKnown} clockOffsetMs={clockOffsetMs} />
      </div>
    </Paper>
  );
}
