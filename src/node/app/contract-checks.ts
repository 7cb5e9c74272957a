/**
 * Asks the venue once per option contract whether it lists it (a contract it does not know gets no
 * quotes: the desk flags it as unlisted instead of stale). Called for contracts that received no
 * quote at all; off the quote path; a failed check is logged and retried at the next round.
 */
import type { Logger } from '../../core/ports/logger';
import type { MarketDataPort } from '../../core/ports/market-data';

export class ContractChecks {
  /** What the venue said about each option contract (GET /v2/options/contracts/{symbol}). */
  private readonly status = new Map<string, 'active' | 'inactive' | 'unknown'>();
  private readonly checking = new Set<string>();

  constructor(
    private readonly logger: Logger,
    /** Every contract the venue does not list as active, after each answer. */
    private readonly onUnlisted: (unlisted: string[]) => void,
  ) {}

  /** Asks `marketData` about the contracts not yet known nor being asked about (none asked without a port). */
  check(marketData: Pick<MarketDataPort, 'optionContractStatus'> | null | undefined, options: readonly string[]): void {
    const todo = options.filter((s) => !this.status.has(s) && !this.checking.has(s));
    if (!marketData || todo.length === 0) return;
    for (const s of todo) this.checking.add(s);
    marketData
      .optionContractStatus(todo)
      .then((m) => {
        for (const [s, st] of m) this.status.set(s, st);
        const unlisted = [...this.status].filter(([, st]) => st !== 'active').map(([s]) => s);
        if (unlisted.length > 0) this.logger.warn('option contracts the venue does not list', { symbols: unlisted.slice(0, 20) });
        this.onUnlisted(unlisted);
      })
      .catch((err: unknown) => this.logger.warn('option contract check failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        for (const s of todo) this.checking.delete(s);
      });
  }
}
