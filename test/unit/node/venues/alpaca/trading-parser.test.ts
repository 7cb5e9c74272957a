import { describe, expect, it } from 'vitest';
import { TradingFrameParser, type TradingControl } from '../../../../../src/node/venues/alpaca/trading-parser';
import type { OrderUpdate } from '../../../../../src/core/ports/venue';

function collect() {
  const controls: TradingControl[] = [];
  const updates: OrderUpdate[] = [];
  const malformed: string[] = [];
  let heartbeats = 0;
  const parser = new TradingFrameParser({ control: (c) => controls.push(c), orderUpdate: (u) => updates.push(u), heartbeat: () => heartbeats++, malformed: (r) => malformed.push(r) });
  return { parser, controls, updates, malformed, heartbeats: () => heartbeats };
}

const fill = {
  stream: 'trade_updates',
  data: {
    event: 'fill', execution_id: '2f63', timestamp: '2022-04-19T17:45:05.024916716Z', price: '105.8988475', qty: '1790.86', position_qty: '0',
    order: { id: 'o1', client_order_id: 'c1', symbol: 'SOLUSD', asset_class: 'crypto', side: 'sell', type: 'market', order_type: 'market', order_class: '', time_in_force: 'gtc', qty: '1790.86', filled_qty: '1790.86', filled_avg_price: '105.8988475', status: 'filled', limit_price: null, stop_price: null, legs: null, created_at: 'x', updated_at: 'y' },
  },
};

describe('TradingFrameParser', () => {
  it('decodes JSON carried in binary frames (paper) and in text frames alike, with prices kept as strings', () => {
    const { parser, updates, malformed } = collect();
    parser.frame(Buffer.from(JSON.stringify(fill)), true, 7);
    parser.frame(JSON.stringify(fill), false, 8);
    expect(malformed).toEqual([]);
    expect(updates.length).toBe(2);
    expect(updates[0]).toMatchObject({ event: 'fill', price: '105.8988475', qty: '1790.86', positionQty: '0', executionId: '2f63', timestamp: Date.UTC(2022, 3, 19, 17, 45, 5, 24), receivedAt: 7 });
    expect(updates[0]!.order).toMatchObject({ id: 'o1', clientOrderId: 'c1', side: 'sell', filledAvgPrice: '105.8988475', status: 'filled', legs: [] });
  });

  it('reads both authorization replies, listening, and the in-stream error', () => {
    const { parser, controls } = collect();
    parser.frame(Buffer.from('{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}'), true, 0);
    parser.frame(Buffer.from('{"stream":"authorization","data":{"status":"unauthorized","action":"authenticate","message":"access key verification failed"}}'), true, 0);
    parser.frame(Buffer.from('{"stream":"listening","data":{"streams":["trade_updates"]}}'), true, 0);
    parser.frame(Buffer.from('{"action":"error","data":{"error_message":"internal server error"}}'), true, 0);
    expect(controls).toEqual([
      { kind: 'authorization', authorized: true, action: 'authenticate', message: null },
      { kind: 'authorization', authorized: false, action: 'authenticate', message: 'access key verification failed' },
      { kind: 'listening', streams: ['trade_updates'] },
      { kind: 'error', message: 'internal server error' },
    ]);
  });

  it('treats a lone 0x01 byte as a heartbeat (UNCONFIRMED reading) and counts malformed frames', () => {
    const { parser, malformed, heartbeats, updates } = collect();
    parser.frame(Buffer.from([0x01]), true, 0);
    expect(heartbeats()).toBe(1);
    parser.frame(Buffer.from('{"stream":"trade_updates","data":{"event":"fill"}}'), true, 0);
    parser.frame(Buffer.from([0xff, 0xfe]), true, 0);
    parser.frame(Buffer.from('[]'), false, 0);
    expect(updates).toEqual([]);
    expect(malformed.length).toBe(3);
    expect(malformed[0]).toContain('order');
  });

  it('accepts a non-fill event without execution fields (alpaca-py #371)', () => {
    const { parser, updates } = collect();
    parser.frame(JSON.stringify({ stream: 'trade_updates', data: { event: 'accepted', order: { ...fill.data.order, status: 'accepted', filled_qty: '0', filled_avg_price: null } } }), false, 0);
    expect(updates[0]).toMatchObject({ event: 'accepted', price: null, qty: null, executionId: null, timestamp: null });
  });
});

describe('TradingFrameParser on hostile nesting and sizes (issue 13, item 7)', () => {
  it('a deeply nested unknown stream or order legs do not overflow the stack: refused with a reason', () => {
    const { parser, malformed, updates } = collect();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parser.frame(`{"stream":${deep(200_000)}}`, false, 0)).not.toThrow();
    // 20,000 levels of legs in under 1 MB (built as text: JSON.stringify itself cannot go that deep).
    const order = '{"id":"o","status":"new","legs":['.repeat(20_000) + JSON.stringify(fill.data.order) + ']}'.repeat(20_000);
    const frame = `{"stream":"trade_updates","data":${JSON.stringify({ ...fill.data, order: 0 }).replace('"order":0', `"order":${order}`)}}`;
    expect(() => parser.frame(frame, false, 0)).not.toThrow();
    expect(updates).toEqual([]);
    expect(malformed).toHaveLength(2);
    for (const r of malformed) expect(r).toMatch(/nests deeper than 16 levels/);
    parser.frame(JSON.stringify(fill), false, 0); // still works
    expect(updates).toHaveLength(1);
  });

  it('an oversized frame is refused by size, and an unknown stream name is not echoed at length', () => {
    const { parser, malformed } = collect();
    parser.frame(Buffer.alloc(2 * 1024 * 1024, 0x20), true, 0);
    parser.frame(JSON.stringify({ stream: 'S'.repeat(100_000) }), false, 0);
    expect(malformed[0]).toMatch(/bytes refused/);
    expect(malformed[1]!.length).toBeLessThan(200);
  });
});

