import { describe, expect, it } from 'vitest';
import { FeedProtocol, OrderUpdateProtocol, upgradeFailure, type FeedEntry } from '../../../../../src/node/venues/smartapi/protocols';
import { encodeTickPacket, tokenKey } from '../../../../../src/node/venues/smartapi/tick-parser';
import type { ProtocolContext, RawFrame } from '../../../../../src/node/stream/stream-manager';

function ctxStub(registry: string[] = []) {
  const sent: string[] = [];
  const log = { malformed: [] as string[], notes: [] as string[], refused: [] as string[][], ticks: 0, ready: 0, confirmed: [] as number[] };
  const ctx: ProtocolContext = {
    conn: 1,
    send: (d) => sent.push(String(d)),
    ready: () => void log.ready++,
    registry: () => registry,
    tick: () => void log.ticks++,
    malformed: (r) => void log.malformed.push(r),
    confirmed: (n) => void log.confirmed.push(n),
    refused: (s) => void log.refused.push(s),
    note: (r) => void log.notes.push(r),
    fail: () => undefined,
  };
  return { ctx, sent, log };
}

const frame = (data: Buffer | string, isBinary: boolean): RawFrame => ({ data: Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary, receivedAt: 5, conn: 1 });

function entry(s: string): FeedEntry | null {
  if (s.startsWith('X')) return null;
  const n = Number(s.slice(1));
  return { symbol: s, exchangeType: s.startsWith('I') ? 1 : 2, token: String(n), mode: s.startsWith('I') ? 1 : 3 };
}

describe('SmartAPI feed protocol', () => {
  it('on open: ready, then one subscribe request per mode, ≤ 1,000 tokens each, grouped by exchange type; unknown symbols refused', () => {
    const opts = Array.from({ length: 2500 }, (_, i) => `O${40000 + i}`);
    const { ctx, sent, log } = ctxStub([...opts, 'I26000', 'XNOPE']);
    const p = new FeedProtocol({ name: 'feed-1', url: () => '', headers: () => ({}), resolve: entry, onTick: () => true });
    p.open(ctx);
    expect(log.ready).toBe(1);
    const reqs = sent.map((s) => JSON.parse(s) as { action: number; correlationID: string; params: { mode: number; tokenList: { exchangeType: number; tokens: string[] }[] } });
    expect(reqs.map((r) => [r.params.mode, r.params.tokenList.reduce((n, g) => n + g.tokens.length, 0)])).toEqual([
      [3, 1000],
      [3, 1000],
      [3, 500],
      [1, 1],
    ]);
    expect(reqs.every((r) => r.action === 1 && r.correlationID.length <= 10)).toBe(true);
    expect(reqs[3]!.params.tokenList).toEqual([{ exchangeType: 1, tokens: ['26000'] }]);
    expect(reqs[0]!.params.tokenList[0]!.tokens[0]).toBe('40000'); // tokens are strings
    expect(log.refused).toEqual([['XNOPE']]);
    expect(log.confirmed).toEqual([2501]);
    // deltas: unsubscribe first, then subscribe
    sent.length = 0;
    p.delta(['O1'], ['O40000'], ctx);
    expect(sent.map((s) => (JSON.parse(s) as { action: number }).action)).toEqual([0, 1]);
    p.ping();
    expect(sent.at(-1)).toBe('ping');
  });

  it('binary ticks, the text pong and JSON control frames are kept apart', () => {
    const got: number[] = [];
    const { ctx, log } = ctxStub();
    const p = new FeedProtocol({ name: 'feed-1', url: () => '', headers: () => ({}), resolve: entry, onTick: (key, t) => (got.push(key, t.ltp!), key === tokenKey(2, 43650)) });
    p.frame(frame(encodeTickPacket({ mode: 1, exchangeType: 2, token: '43650', exchangeTimeMs: 1, ltpPaise: 12345 }), true), ctx);
    expect(got).toEqual([tokenKey(2, 43650), 123.45]);
    expect(log.ticks).toBe(1);
    p.frame(frame('pong', false), ctx);
    expect(log.notes).toEqual([]);
    p.frame(frame('{"correlationID":"a","errorCode":"E1002","errorMessage":"Invalid Request. Subscription Limit Exceeded"}', false), ctx);
    expect(log.notes).toEqual(['SmartAPI feed control message: E1002 Invalid Request. Subscription Limit Exceeded']);
    p.frame(frame('not json', false), ctx);
    expect(log.notes[1]).toContain('not json');
    // a text frame that looks like JSON is never parsed as a tick, and a binary "pong" is a malformed packet
    p.frame(frame('pong', true), ctx);
    expect(log.malformed).toHaveLength(1);
    expect(p.controlMessages).toBe(2);
    // an unknown token is counted, not a tick
    p.frame(frame(encodeTickPacket({ mode: 1, exchangeType: 2, token: '1', exchangeTimeMs: 1, ltpPaise: 1 }), true), ctx);
    expect(p.unknownTokens).toBe(1);
    expect(log.ticks).toBe(1);
  });

  it('upgrade refusals: 401/403 end the session, 429 waits out the connection window', () => {
    expect(upgradeFailure(401).kind).toBe('session');
    expect(upgradeFailure(403).kind).toBe('session');
    expect(upgradeFailure(429).kind).toBe('connection_limit');
    expect(upgradeFailure(502).kind).toBe('transient');
  });
});

describe('SmartAPI order-update protocol', () => {
  it('ignores the AB00 ack and pong, validates orderData, reports malformed frames', () => {
    const got: string[] = [];
    const { ctx, log } = ctxStub();
    const p = new OrderUpdateProtocol({ url: () => '', headers: () => ({}), onUpdate: (code, od) => got.push(`${code} ${od.orderid} ${od.filledshares}`) });
    p.open(ctx);
    p.frame(frame(JSON.stringify({ 'order-status': 'AB00', orderData: {} }), false), ctx);
    p.frame(frame('pong', false), ctx);
    p.frame(frame(JSON.stringify({ 'order-status': 'AB05', orderData: { tradingsymbol: 'NIFTYBEES-EQ', orderid: '241226000790638', filledshares: '1', price: 266.94 } }), false), ctx);
    p.frame(frame(JSON.stringify({ 'order-status': 'AB05', orderData: { orderid: 'x' } }), false), ctx);
    p.frame(frame('{', false), ctx);
    expect(got).toEqual(['AB05 241226000790638 1']);
    expect(log.malformed).toHaveLength(2);
  });
});
