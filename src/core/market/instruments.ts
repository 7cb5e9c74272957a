import { IdError, instrumentId, type InstrumentId } from '../model/ids';

/**
 * The symbol → InstrumentId mapping of one venue instance (its name is the venue part of the id:
 * `sim`, `sim2`, `alpaca`). Venues speak their own symbols; at the market-data boundary each symbol
 * is mapped to its InstrumentId once, here, and every later quote of that symbol reuses the same
 * string (no concatenation per quote, and the id's hash is computed once).
 *
 * Grows with the symbols the venue has ever sent (bounded by what the desk quotes, like the cache).
 */
export class VenueInstruments {
  private readonly ids = new Map<string, InstrumentId>();

  constructor(readonly venue: string) {
    // Validates the venue name once (throws an IdError naming it).
    instrumentId(venue, 'X');
  }

  /** The InstrumentId of `symbol` at this venue; throws an IdError naming a symbol that cannot be one. */
  of(symbol: string): InstrumentId {
    let id = this.ids.get(symbol);
    if (id === undefined) {
      id = instrumentId(this.venue, symbol);
      this.ids.set(symbol, id);
    }
    return id;
  }

  /** Like `of`, but null for a symbol that cannot be an instrument (a venue message to refuse, not a crash). */
  tryOf(symbol: string): InstrumentId | null {
    const id = this.ids.get(symbol);
    if (id !== undefined) return id;
    try {
      return this.of(symbol);
    } catch (err) {
      if (err instanceof IdError) return null;
      throw err;
    }
  }

  /** True when `id` names an instrument of this venue. */
  owns(id: InstrumentId): boolean {
    return id.length > this.venue.length && id.charCodeAt(this.venue.length) === 58 /* ':' */ && id.startsWith(this.venue);
  }
}
