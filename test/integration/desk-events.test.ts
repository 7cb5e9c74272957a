/**
 * Done-when integration (issue 6): the renderer's own transport and store drive the headless desk
 * over its real WebSocket on 127.0.0.1 — connect, snapshot, events in seq order, a forced gap
 * triggers a re-snapshot, bad commands get typed errors — plus position events from fills and a
 * portfolio file rejected with JSON paths while the old positions stay.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { startHeadlessServer } from '../../src/headless/server';
import { deskWsUrl } from '../helpers/ws-client';
import { SocketTransport, type WebSocketLike } from '../../src/renderer/src/transport/socket-transport';
import { bindTransport, createDeskStore, type DeskStore } from '../../src/renderer/src/stores/desk-store';
import type { DeskEvent, Transport } from '../../src/shared/contract';
import type { StoreApi } from 'zustand';
import { shownTotals } from '../../src/renderer/src/features/portfolio/stale-now';

const SAMPLE = resolve(import.meta.dirname, '../../resources/portfolio.sample.json');
let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-desk-events-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Live Desk</title>');
  return () => rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Resolves when `pred(store state)` holds; rejects after `ms` naming what it waited for. */
function until(store: StoreApi<DeskStore>, pred: (s: DeskStore) => boolean, what: string, ms = 5000): Promise<void> {
  if (pred(store.getState())) return Promise.resolve();
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      off();
      rej(new Error(`timed out waiting for ${what}`));
    }, ms);
    const off = store.subscribe((s) => {
      if (pred(s)) {
        clearTimeout(timer);
        off();
        res();
      }
    });
  });
}

/** Wraps a transport and drops the events `drop` picks: a lossy link, to force a seq gap. */
function lossy(inner: Transport, drop: (e: DeskEvent) => boolean): Transport {
  return {
    call: (name, payload) => inner.call(name, payload),
    onEvent: (l) => inner.onEvent((e) => (drop(e) ? undefined : l(e))),
    onStatus: (l) => inner.onStatus(l),
    resync: () => inner.resync(),
  };
}

async function boot(): Promise<{ desk: Desk; url: string }> {
  const desk = createDesk({ clock: new SystemClock(), config: { simIntervalMs: 20, tickCoalesceMs: 20 }, portfolioPath: SAMPLE });
  const server = await startHeadlessServer({ desk, staticDir: dir, port: 0 });
  cleanups.push(() => desk.dispose(), () => server.close());
  return { desk, url: deskWsUrl(server) };
}

function connect(url: string, drop: (e: DeskEvent) => boolean = () => false) {
  const socket = new SocketTransport(url, { createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike });
  const seen: DeskEvent[] = [];
  socket.onEvent((e) => seen.push(e));
  const transport = lossy(socket, drop);
  const store = createDeskStore();
  const unbind = bindTransport(transport, store);
  cleanups.push(() => {
    unbind();
    socket.close();
  });
  return { transport, store, seen };
}

describe('the renderer store over the headless desk', () => {
  it('snapshot first, then events in seq order; the store holds the sample portfolio and live ticks', async () => {
    const { desk, url } = await boot();
    const { transport, store, seen } = connect(url);
    await until(store, (s) => s.seq !== null, 'the snapshot');
    expect(seen[0]!.type).toBe('snapshot');
    const s0 = store.getState();
    expect(Object.keys(s0.records)).toHaveLength(desk.snapshot().positions.length);
    expect(Object.keys(s0.structures).length).toBeGreaterThan(0);
    expect(s0.portfolio?.path).toBe(SAMPLE);

    expect(await transport.call('stream.start', {})).toEqual({ ok: true, result: { streaming: true } });
    await until(store, (s) => s.streaming && s.lastTickAt !== null && Object.keys(s.quotes).length > 0, 'ticks');
    // SPY shares are quoted by the sim: valued in the store exactly as the backend values them.
    await until(store, (s) => s.positions['spy-shares#0']?.unrealized_value != null, 'SPY valued');

    // A fill from the venue on an instrument the file does not hold (QQQ shares; a fill on SPY would
    // now reduce the file's SPY position — issue 12 item 5): fill_event, node_event and position_event reach the store.
    desk.applyFill({ fill_id: 'it-1', position_id: 'it-pos', symbol: 'QQQ', side: 'BUY', quantity: 3, price: 580, time: Date.now() }, { order_id: 'o-1' });
    desk.applyFill({ fill_id: 'it-2', position_id: 'it-pos', symbol: 'QQQ', side: 'SELL', quantity: 3, price: 581.5, time: Date.now() }, { order_id: 'o-2', reason: 'test exit' });
    await until(store, (s) => s.tradeKeys.includes('it-pos#0'), 'the closed trade');
    const trade = store.getState().positions['it-pos#0']!;
    expect(trade).toMatchObject({ status: 'CLOSED', realized_pnl: '4.5', exit_reason: 'test exit' });
    expect(store.getState().fills.map((f) => f.fill_id)).toEqual(['it-1', 'it-2']);
    const flows = trade.entry_flow_ids.concat(trade.exit_flow_ids);
    expect(flows.every((id) => store.getState().nodes[id]?.node_type === 'FillNode')).toBe(true);

    await transport.call('stream.stop', {});
    await until(store, (s) => !s.streaming, 'stopped');
    // Every event after the snapshot arrived exactly once, in seq order.
    const seqs = seen.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    // The store agrees with the desk's own snapshot.
    const snap = desk.snapshot();
    expect(store.getState().records).toEqual(Object.fromEntries(snap.positions.map((r) => [r.key, r])));
  });

  it('the totals the UI holds and shows are the desk\'s pnl_snapshot exactly, for the same quotes (issue 15 item 6)', async () => {
    const { desk, url } = await boot();
    const { transport, store } = connect(url);
    await until(store, (s) => s.seq !== null, 'the snapshot');
    await transport.call('stream.start', {});
    await until(store, (s) => s.pnl.as_of !== null && s.pnl.totals.length > 0 && s.pnl.totals.every((t) => t.total_pnl !== null), 'known totals from the sim');
    // A fill moves the realized total without any quote: the desk sends its new totals.
    desk.applyFill({ fill_id: 'tot-1', position_id: 'tot', symbol: 'QQQ', side: 'BUY', quantity: 2, price: 500, time: Date.now() });
    desk.applyFill({ fill_id: 'tot-2', position_id: 'tot', symbol: 'QQQ', side: 'SELL', quantity: 2, price: 503.25, time: Date.now() });
    await until(store, (s) => s.tradeKeys.includes('tot#0'), 'the closed trade');
    await transport.call('stream.stop', {});
    await until(store, (s) => !s.streaming, 'stopped');
    await new Promise((r) => setTimeout(r, 200)); // the last coalesced tick and health events land
    const state = store.getState();
    const snap = desk.snapshot();
    // The same quotes on both sides…
    expect(state.quotes).toEqual(Object.fromEntries(snap.quotes.map((q) => [q.instrument, q])));
    // …and the same totals, to the last digit (last_good_as_of included), held and shown.
    expect(state.pnl).toEqual(snap.pnl_snapshot);
    expect(shownTotals(state.pnl, state.positions, state.structures, state.structureDefs, snap.serverTime, state.valuation.staleAfterMs)).toEqual(snap.pnl_snapshot);
    expect(snap.pnl_snapshot.totals.find((t) => t.currency === 'USD')!.realized_pnl).toBe('6.5');
  });

  it('a forced gap in seq makes the store ask for a snapshot and recover', async () => {
    const { desk, url } = await boot();
    let dropped = 0;
    // Drop the third tick_update on the wire.
    let ticks = 0;
    const { store, seen } = connect(url, (e) => e.type === 'tick_update' && ++ticks === 3 && ++dropped === 1);
    await until(store, (s) => s.seq !== null, 'the first snapshot');
    desk.start();
    await until(store, () => dropped === 1 && seen.filter((e) => e.type === 'snapshot').length === 2, 'a second snapshot after the gap');
    await until(store, (s) => !s.awaitingSnapshot && s.lastTickAt !== null, 'ticks applied again');
    const second = seen.filter((e) => e.type === 'snapshot')[1]!;
    // The store's seq moved past the re-snapshot and keeps following the stream.
    const after = store.getState().seq!;
    expect(after).toBeGreaterThanOrEqual(second.seq);
    await until(store, (s) => s.seq! > after, 'further events after recovery');
    desk.stop();
  });

  it('bad commands get typed errors, never a crash; a bad portfolio file keeps the old positions', async () => {
    const { desk, url } = await boot();
    const { transport, store } = connect(url);
    await until(store, (s) => s.seq !== null, 'the snapshot');
    const before = Object.keys(store.getState().records).sort();

    const unknown = await transport.call('desk.explode' as never, {} as never);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const badPayload = await transport.call('settings.set', { stale_after_sec: -1 } as never);
    expect(badPayload).toMatchObject({ ok: false, error: { code: 'invalid_payload', issues: [{ path: 'stale_after_sec' }] } });
    const missing = await transport.call('portfolio.load', { path: join(dir, 'nope.json') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'failed' } });

    const bad = join(dir, 'bad-portfolio.json');
    writeFileSync(bad, JSON.stringify({ version: 1, positions: [{ id: 'x', type: 'stock', symbol: 'SPY', side: 'long', quantity: 'ten', cost_basis: '1', opened_at: '2026-11-01T00:00:00Z' }] }));
    const invalid = await transport.call('portfolio.load', { path: bad });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      expect(invalid.error.code).toBe('invalid_portfolio');
      expect(invalid.error.issues?.[0]?.path).toBe('$.positions[0].quantity');
    }
    await until(store, (s) => s.portfolio?.error !== null && s.portfolio?.error !== undefined, 'the rejection in the store');
    expect(Object.keys(store.getState().records).sort()).toEqual(before);
    expect(store.getState().history.some((e) => e.type === 'portfolio_event' && e.action === 'rejected')).toBe(true);

    // settings.set applies live and reaches the store.
    const set = await transport.call('settings.set', { mark_policy: 'conservative', stale_after_sec: 10 });
    expect(set).toMatchObject({ ok: true, result: { applied: expect.arrayContaining(['mark_policy', 'stale_after_sec']) as unknown, restarting: false } });
    await until(store, (s) => s.valuation.markPolicy === 'conservative' && s.valuation.staleAfterMs === 10_000, 'new valuation');
    expect(desk.snapshot().settings.mark_policy).toBe('conservative');
  });
});
