import { describe, expect, it } from 'vitest';
import {
  accountId,
  clientOrderId,
  formatInstrumentId,
  IdError,
  instrumentId,
  instrumentSymbol,
  instrumentVenue,
  parseInstrumentId,
  parsePositionKey,
  positionKey,
  positionKeyParts,
  type AccountId,
  type ClientOrderId,
  type InstrumentId,
} from '../../../../src/core/model/ids';

function errorOf(f: () => unknown): IdError {
  try {
    f();
  } catch (err) {
    if (err instanceof IdError) return err;
    throw err;
  }
  throw new Error('expected an IdError');
}

describe('InstrumentId', () => {
  it('is venue:symbol, round-trips through its string form, and splits back', () => {
    const spy = instrumentId('alpaca', 'SPY');
    expect(spy).toBe('alpaca:SPY');
    expect(parseInstrumentId(String(spy))).toBe(spy);
    expect(instrumentVenue(spy)).toBe('alpaca');
    expect(instrumentSymbol(spy)).toBe('SPY');
    expect(formatInstrumentId(spy)).toBe('SPY (alpaca)');
  });

  it('keeps the same symbol at two venues apart as Map keys', () => {
    const m = new Map<InstrumentId, number>();
    m.set(instrumentId('alpaca', 'SPY'), 1);
    m.set(instrumentId('sim', 'SPY'), 2);
    m.set(instrumentId('alpaca', 'SPY'), 3);
    expect([...m.entries()]).toEqual([
      ['alpaca:SPY', 3],
      ['sim:SPY', 2],
    ]);
  });

  it('takes the symbols of every venue the desk knows', () => {
    for (const [venue, symbol] of [
      ['alpaca', 'SPY250117C00450000'],
      ['smartapi', 'M&M'],
      ['delta', 'C-BTC-90000-310125'],
      ['replay', 'odd:symbol'],
    ] as const) {
      const id = instrumentId(venue, symbol);
      expect(instrumentSymbol(parseInstrumentId(id))).toBe(symbol);
      expect(instrumentVenue(id)).toBe(venue);
    }
  });

  it('refuses a bad venue or symbol and says which', () => {
    expect(errorOf(() => instrumentId('Alpaca', 'SPY')).message).toMatch(/^InstrumentId: venue "Alpaca"/);
    expect(errorOf(() => instrumentId('', 'SPY')).message).toMatch(/venue ""/);
    expect(errorOf(() => instrumentId('alpaca', '')).message).toMatch(/symbol "" at alpaca/);
    expect(errorOf(() => instrumentId('alpaca', 'S PY')).message).toMatch(/symbol "S PY"/);
    expect(errorOf(() => instrumentId('alpaca', 'X'.repeat(65))).message).toMatch(/1–64/);
    expect(errorOf(() => parseInstrumentId('SPY')).message).toMatch(/not of the form venue:symbol/);
    expect(errorOf(() => parseInstrumentId(':SPY')).kind).toBe('InstrumentId');
    expect(errorOf(() => instrumentId('alpaca', 'X'.repeat(500))).message.length).toBeLessThan(200);
  });
});

describe('AccountId and ClientOrderId', () => {
  it('accept ordinary ids', () => {
    const a: AccountId = accountId('alpaca-paper.1');
    const c: ClientOrderId = clientOrderId('run-7/leg-2:try-0');
    expect([a, c]).toEqual(['alpaca-paper.1', 'run-7/leg-2:try-0']);
    expect(clientOrderId('x'.repeat(128))).toHaveLength(128);
  });

  it('refuse missing or malformed ids', () => {
    expect(errorOf(() => accountId('')).message).toMatch(/^AccountId: ""/);
    expect(errorOf(() => accountId('-x')).kind).toBe('AccountId');
    expect(errorOf(() => accountId('a b')).kind).toBe('AccountId');
    expect(errorOf(() => clientOrderId('')).message).toMatch(/^ClientOrderId: is required .*every order carries one/);
    expect(errorOf(() => clientOrderId(undefined as unknown as string)).message).toMatch(/got undefined/);
    expect(errorOf(() => clientOrderId('a b')).message).toMatch(/printable/);
    expect(errorOf(() => clientOrderId('x'.repeat(129))).kind).toBe('ClientOrderId');
  });

  it('are distinct types: one cannot stand for another', () => {
    const takesOrder = (id: ClientOrderId): string => id;
    // @ts-expect-error an AccountId is not a ClientOrderId
    takesOrder(accountId('acct-1'));
    // @ts-expect-error a bare string is not a ClientOrderId
    takesOrder('ord-1');
    expect(takesOrder(clientOrderId('ord-1'))).toBe('ord-1');
  });
});

describe('PositionKey', () => {
  it('is position_id#re_entry_num (the UI store key) and round-trips', () => {
    const k = positionKey('ic-1', 2);
    expect(k).toBe('ic-1#2');
    expect(parsePositionKey(k)).toBe(k);
    expect(positionKeyParts(k)).toEqual({ positionId: 'ic-1', reEntryNum: 2 });
    const hashed = positionKey('a#b', 0);
    expect(positionKeyParts(parsePositionKey(hashed))).toEqual({ positionId: 'a#b', reEntryNum: 0 });
  });

  it('refuses an empty id, a negative or fractional re-entry, and text that is not a key', () => {
    expect(errorOf(() => positionKey('', 0)).message).toMatch(/^PositionKey: position_id ""/);
    expect(errorOf(() => positionKey('p', -1)).message).toMatch(/re_entry_num of "p" must be a whole number/);
    expect(errorOf(() => positionKey('p', 1.5)).kind).toBe('PositionKey');
    expect(errorOf(() => parsePositionKey('p')).message).toMatch(/not of the form/);
    expect(errorOf(() => parsePositionKey('p#01')).kind).toBe('PositionKey');
    expect(errorOf(() => parsePositionKey('#1')).kind).toBe('PositionKey');
  });
});
