import { describeSymbols, type StaleSummary } from './stale';
import { contractLabel, formatAge, plural } from '../format/format';

/**
 * The stale-data banner: shown whenever any quote the totals depend on (open positions' and every
 * structure leg's) is past the threshold, naming how many and which (the full list in its tooltip).
 * One line in the page's reserved banner slot, so its appearing never pushes the page down. P&L that
 * depends on them is unknown until fresh quotes arrive.
 */
export function StaleBanner({ summary, staleMs }: { summary: StaleSummary; staleMs: number }) {
  if (summary.count === 0) return null;
  const names = summary.symbols.map((s) => `${contractLabel(s.symbol)} (${s.ageMs === null ? 'no quote' : formatAge(s.ageMs)})`);
  const title = `Stale data: ${plural(summary.count, 'quote')} older than ${formatAge(staleMs)}`;
  return (
    <div className="banner banner-stale" role="alert" data-testid="stale-banner" data-count={summary.count} data-symbols={summary.symbols.map((s) => s.symbol).join(' ')} title={`${title}\n${names.join('\n')}\nP&L that depends on these prices is shown as unknown until fresh quotes arrive.`}>
      <span aria-hidden className="banner-icon">
        ⚠
      </span>
      <strong>{title}</strong>
      <span className="banner-text" data-testid="stale-symbols">
        {describeSymbols(names, 8)}
      </span>
      <span className="banner-note">— P&L on them is unknown until fresh quotes arrive.</span>
    </div>
  );
}
