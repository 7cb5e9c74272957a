import { describe, expect, it } from 'vitest';
import { alpacaInstrument, toAlpacaSymbol } from '../../../../src/core/model/alpaca-symbols';
import { deltaInstrument, parseDeltaSymbol } from '../../../../src/core/model/delta-symbols';
import { daysToExpiry, InstrumentError } from '../../../../src/core/model/instrument';
import { lotsFromUnits, nseInstrument, parseNseSymbol, readNseSymbol, type ScripMasterRecord } from '../../../../src/core/model/nse';
import { priceToString, multiplierToString, qtyToString } from '../../../../src/core/model/money';

describe('Alpaca symbols', () => {
  it('maps share classes, padded OCC and crypto to Alpaca’s forms', () => {
    expect(toAlpacaSymbol('BRK-B')).toBe('BRK.B');
    expect(toAlpacaSymbol('brk/b')).toBe('BRK.B');
    expect(toAlpacaSymbol('AAPL')).toBe('AAPL');
    expect(toAlpacaSymbol('AAPL  240119C00150000')).toBe('AAPL240119C00150000');
    expect(toAlpacaSymbol('BTC/USD')).toBe('BTC/USD');
    expect(() => toAlpacaSymbol('!!')).toThrow(InstrumentError);
    expect(() => toAlpacaSymbol('!!')).toThrow(/"!!"/);
    expect(alpacaInstrument('BRK-B')).toMatchObject({ symbol: 'BRK.B', kind: 'stock', underlying: 'BRK.B' });
    expect(alpacaInstrument('SPY241220C00600000')).toMatchObject({ kind: 'option', underlying: 'SPY', venue: 'alpaca' });
  });
});

const NIFTY_WEEKLY: ScripMasterRecord = {
  token: '43650', symbol: 'NIFTY07NOV2424250PE', name: 'NIFTY', expiry: '07NOV2024', strike: '2425000.000000',
  lotsize: '25', instrumenttype: 'OPTIDX', exch_seg: 'NFO', tick_size: '5.000000',
};

describe('NSE/BSE F&O symbols', () => {
  it('parses the dated option form', () => {
    const r = parseNseSymbol('NIFTY07NOV2424250PE', { referenceDate: '2024-11-01' });
    expect(r).toMatchObject({ name: 'NIFTY', kind: 'option', form: 'dated', right: 'put', expiryDate: '2024-11-07' });
    expect(priceToString(r.strike!)).toBe('24250');
  });

  it('says when a symbol is ambiguous, and resolves it with the master or the form', () => {
    expect(readNseSymbol('NIFTY24NOV24250PE')).toHaveLength(2);
    expect(() => parseNseSymbol('NIFTY24NOV24250PE')).toThrow(/ambiguous: reads as dated 2024-11-24 strike 250 or as monthly month 2024-11 strike 24250/);
    const monthly = parseNseSymbol('NIFTY24NOV24250PE', { form: 'monthly' });
    expect(monthly).toMatchObject({ form: 'monthly', expiryDate: null, expiryMonth: '2024-11' });
    expect(priceToString(monthly.strike!)).toBe('24250');
    const master = { ...NIFTY_WEEKLY, symbol: 'NIFTY24NOV24250PE', expiry: '28NOV2024' };
    expect(parseNseSymbol('NIFTY24NOV24250PE', { master })).toMatchObject({ form: 'monthly' });
  });

  it('parses futures in both forms', () => {
    expect(parseNseSymbol('NIFTY24NOVFUT')).toMatchObject({ kind: 'future', form: 'monthly', expiryMonth: '2024-11' });
    expect(parseNseSymbol('BANKNIFTY28NOV24FUT')).toMatchObject({ kind: 'future', form: 'dated', name: 'BANKNIFTY', expiryDate: '2024-11-28' });
  });

  it('rejects what is not an F&O symbol, naming it', () => {
    expect(() => parseNseSymbol('NIFTY31NOV2424250PE', { form: 'dated' })).toThrow(/"NIFTY31NOV2424250PE"/);
    expect(() => parseNseSymbol('SBIN-EQ')).toThrow(/not an NSE F&O symbol/);
  });

  it('builds the instrument from the instrument master: token, lot size, tick, expiry 15:30 IST', () => {
    const i = nseInstrument(NIFTY_WEEKLY);
    expect(i).toMatchObject({ kind: 'option', underlying: 'NIFTY', right: 'put', token: '43650', exchange: 'NFO', lotSize: 25, venue: 'smartapi' });
    expect(priceToString(i.strike!)).toBe('24250');
    expect(priceToString(i.tickSize)).toBe('0.05');
    expect(multiplierToString(i.multiplier)).toBe('25');
    expect(i.currency.code).toBe('INR');
    expect(i.expiry).toMatchObject({ date: '2024-11-07', time: '15:30', zone: 'Asia/Kolkata', epochMs: Date.UTC(2024, 10, 7, 10, 0) });
    expect(qtyToString(lotsFromUnits(i, 75))).toBe('3');
    expect(() => lotsFromUnits(i, 30)).toThrow(/not a whole number of lots of 25/);
    const fut = nseInstrument({ ...NIFTY_WEEKLY, symbol: 'NIFTY24NOVFUT', token: '35001', strike: '-1.000000', instrumenttype: 'FUTIDX', expiry: '28NOV2024' });
    expect(fut).toMatchObject({ kind: 'future', strike: null, right: null });
  });

  it('rejects a master record that disagrees with its symbol', () => {
    expect(() => nseInstrument({ ...NIFTY_WEEKLY, strike: '2430000.000000' })).toThrow(/NIFTY07NOV2424250PE.*no reading/);
    expect(() => nseInstrument({ ...NIFTY_WEEKLY, lotsize: '0' })).toThrow(/lot size "0"/);
    expect(() => nseInstrument({ ...NIFTY_WEEKLY, exch_seg: 'MCX' })).toThrow(/segment "MCX" is not supported/);
  });

  it('counts days to expiry in the exchange’s calendar', () => {
    const i = nseInstrument(NIFTY_WEEKLY);
    // 2024-11-06 20:00 UTC is already 7 Nov 01:30 in India: expiry day, DTE 0
    expect(daysToExpiry(i.expiry!, Date.UTC(2024, 10, 6, 20, 0))).toBe(0);
    expect(daysToExpiry(i.expiry!, Date.UTC(2024, 10, 6, 12, 0))).toBe(1);
    expect(daysToExpiry(i.expiry!, Date.UTC(2024, 10, 8, 12, 0))).toBe(-1);
  });
});

describe('Delta Exchange symbols', () => {
  it('parses options and perpetuals', () => {
    const o = parseDeltaSymbol('C-BTC-90000-310125');
    expect(o).toMatchObject({ kind: 'option', underlying: 'BTC', right: 'call', expiryDate: '2025-01-31' });
    expect(priceToString(o.strike!)).toBe('90000');
    expect(parseDeltaSymbol('P-ETH-3200-280325')).toMatchObject({ right: 'put', underlying: 'ETH', expiryDate: '2025-03-28' });
    expect(parseDeltaSymbol('BTCUSD')).toMatchObject({ kind: 'perpetual', underlying: 'BTC', quote: 'USD' });
    expect(() => parseDeltaSymbol('C-BTC-90000-310225')).toThrow(/"C-BTC-90000-310225".*not a valid DDMMYY/);
    expect(() => parseDeltaSymbol('X-BTC')).toThrow(/not a Delta option/);
  });

  it('builds instruments with the contract value as multiplier, from the product record when given', () => {
    const i = deltaInstrument('C-BTC-90000-310125');
    expect(multiplierToString(i.multiplier)).toBe('0.001');
    expect(i.expiry).toMatchObject({ date: '2025-01-31', time: '12:00', zone: 'UTC' });
    const p = deltaInstrument('C-BTC-90000-310125', {
      id: 12345, symbol: 'C-BTC-90000-310125', contract_value: '0.001', tick_size: '0.1', settlement_time: '2025-01-31T12:00:00Z',
      strike_price: '90000', underlying_asset: { symbol: 'BTC' }, quoting_asset: { symbol: 'USDT' },
    });
    expect(p).toMatchObject({ token: '12345', currency: { code: 'USDT', decimals: 2 } });
    // money in the settlement currency when the product names one apart from the quoting asset (review of issue 20)
    const settled = deltaInstrument('C-BTC-90000-310125', { symbol: 'C-BTC-90000-310125', contract_value: '0.001', tick_size: '0.1', quoting_asset: { symbol: 'USD' }, settling_asset: { symbol: 'USDT' } });
    expect(settled.currency.code).toBe('USDT');
    expect(() => deltaInstrument('C-BTC-90000-310125', { symbol: 'C-BTC-90000-310125', contract_value: '0.001', tick_size: '0.1', strike_price: '91000' })).toThrow(/strike 91000 disagrees/);
    expect(() => deltaInstrument('C-DOGE-1-310125')).toThrow(/contract value of DOGE unknown/);
    expect(deltaInstrument('BTCUSD')).toMatchObject({ kind: 'perpetual', expiry: null });
  });
});
