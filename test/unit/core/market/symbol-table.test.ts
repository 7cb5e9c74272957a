import { describe, expect, it } from 'vitest';
import { SymbolTable } from '../../../../src/core/market/symbol-table';

describe('SymbolTable', () => {
  it('gives each symbol one dense id, stable and never reused', () => {
    const t = new SymbolTable();
    expect([t.intern('SPY'), t.intern('AAPL240119C00150000'), t.intern('SPY')]).toEqual([0, 1, 0]);
    expect([t.idOf('AAPL240119C00150000'), t.idOf('QQQ'), t.size]).toEqual([1, undefined, 2]);
    expect(t.symbolOf(1)).toBe('AAPL240119C00150000');
  });

  it('says which id it never issued', () => {
    const t = new SymbolTable();
    t.intern('SPY');
    expect(() => t.symbolOf(3)).toThrow('symbol id 3 was not issued by this table (it has 1)');
  });
});
