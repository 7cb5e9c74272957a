/**
 * Key interning: each key (in the quote cache and the P&L book: an InstrumentId, `venue:symbol`) gets a small dense integer id, once, at the edge (the quote
 * cache). Downstream consumers on the quote path (the P&L book) index flat arrays by that id
 * instead of hashing the symbol string again for every quote — with thousands of symbols, each
 * string-keyed lookup is a few cache misses, which is most of the cost of a quote.
 *
 * Ids are stable for the life of the table and never reused; the table grows with the symbols it
 * has ever seen (bounded by the instruments a desk quotes).
 */
export class SymbolTable<K extends string = string> {
  private readonly ids = new Map<K, number>();
  private readonly names: K[] = [];

  /** The id of `symbol`, assigning the next one on first sight. */
  intern(symbol: K): number {
    let id = this.ids.get(symbol);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(symbol, id);
      this.names.push(symbol);
    }
    return id;
  }

  /** The id of `symbol`, or undefined when it was never interned. */
  idOf(symbol: K): number | undefined {
    return this.ids.get(symbol);
  }

  /** The symbol behind an id; throws a RangeError naming the id when this table never issued it. */
  symbolOf(id: number): K {
    const s = this.names[id];
    if (s === undefined) throw new RangeError(`symbol id ${id} was not issued by this table (it has ${this.names.length})`);
    return s;
  }

  /** Number of symbols interned (ids are 0 … size−1). */
  get size(): number {
    return this.names.length;
  }
}
