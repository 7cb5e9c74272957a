import type { Clock } from '../ports/clock';
import type { Quote } from './quote';

export type QuoteListener = (quote: Quote) => void;

/**
 * The single source of prices: the latest quote per symbol, written before anything is published.
 */
export class QuoteCache {
  private readonly quotes = new Map<string, Quote>();
  private readonly listeners = new Set<QuoteListener>();

  constructor(private readonly clock: Clock) {}

  /** Stores the quote, then notifies listeners. */
  put(quote: Quote): void {
    this.quotes.set(quote.symbol, quote);
    for (const listener of this.listeners) listener(quote);
  }

  get(symbol: string): Quote | undefined {
    return this.quotes.get(symbol);
  }

  /** Age in ms of the symbol's quote, or null when there is none. */
  ageMs(symbol: string): number | null {
    const q = this.quotes.get(symbol);
    return q ? this.clock.now() - q.receivedAt : null;
  }

  all(): Quote[] {
    return [...this.quotes.values()];
  }

  get size(): number {
    return this.quotes.size;
  }

  onQuote(listener: QuoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.quotes.clear();
  }
}
