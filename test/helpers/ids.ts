import { instrumentId, type InstrumentId } from '../../src/core/model/ids';
import { VenueInstruments } from '../../src/core/market/instruments';

/** `sim:SYMBOL` — the InstrumentId of a symbol at the default simulated venue (tests' shorthand). */
export function sim(symbol: string): InstrumentId {
  return instrumentId('sim', symbol);
}

/** InstrumentIds of several symbols at the simulated venue. */
export function sims(...symbols: string[]): InstrumentId[] {
  return symbols.map(sim);
}

/** The symbol → InstrumentId interning of the `sim` venue (what a parser or venue adapter is given). */
export function simInstruments(): VenueInstruments {
  return new VenueInstruments('sim');
}
