import { describe, expect, it } from 'vitest';
import type { StreamHealthWire } from '../../../../../src/shared/contract';
import { errorIsPast, errorText, feedsSummary, notSubscribedText, reconnectsOf, streamFreshness, streamLabel, streamRowKey, streamRowName, structureAge, wasStopped } from '../../../../../src/renderer/src/features/health/freshness';
import { STREAM_STATE_STYLE } from '../../../../../src/renderer/src/features/health/stream-state';

const T = 1_000_000;
const row = (over: Partial<StreamHealthWire> = {}): StreamHealthWire => ({
  name: 'stocks',
  state: 'running',
  lastError: null,
  reconnectAttempts: 0,
  lastEventAt: T,
  queueDepth: 0,
  droppedEvents: 0,
  subscriptions: 3,
  lastTickAt: T,
  connectedAt: T - 60_000,
  liveness: 'data',
  ...over,
});

describe('freshness: one story for header, stream health and ages (issue 12 item 6)', () => {
  it('a ledger that cannot write has its own health row but is not a feed: the header does not say "feeds error"', () => {
    const ledger = row({ name: 'ledger', state: 'error', lastError: 'the ledger file is read-only: fills are not being recorded', liveness: 'heartbeat', lastTickAt: null, lastEventAt: null });
    expect(feedsSummary([row(), ledger], T + 1000, 5000, 0)).toMatchObject({ label: 'feeds running', state: 'running' });
    expect(feedsSummary([ledger], T + 1000, 5000, 0)).toBeNull();
  });

  it('the header never says "feeds running" under the stale banner or while a data stream is silent', () => {
    const streams = [row(), row({ name: 'options' }), row({ name: 'trade_updates', liveness: 'heartbeat', lastTickAt: null, lastEventAt: T - 600_000 })];
    expect(feedsSummary(streams, T + 1000, 5000, 0)).toMatchObject({ label: 'feeds running', state: 'running' });
    // quotes on screen are stale (the red banner): the header says so
    const quotes = feedsSummary(streams, T + 1000, 5000, 3)!;
    expect(quotes.label).toBe('feeds: 3 stale quotes');
    expect(quotes.label).not.toContain('running');
    // a data stream silent past the threshold: named
    const silent = feedsSummary(streams, T + 7200, 5000, 0)!;
    expect(silent).toMatchObject({ label: 'feeds stale: stocks, options', state: 'stale', attention: true });
    // the quiet trade_updates stream (10 minutes without an order) is not what makes it stale
    expect(feedsSummary([streams[2]!], T + 7200, 5000, 0)!.label).toBe('feeds running');
  });

  it('the stream panel says stale with how long, or waiting for the first event — not "running · last event never"', () => {
    expect(streamLabel(row(), T + 7200, 5000)).toEqual({ label: 'stale · no data for 7.2s', state: 'stale' });
    expect(streamLabel(row(), T + 1000, 5000)).toEqual({ label: 'running', state: 'running' });
    const fresh = row({ lastTickAt: null, lastEventAt: null, connectedAt: T });
    expect(streamLabel(fresh, T + 1000, 5000)).toEqual({ label: 'waiting for first event', state: 'waiting' });
    expect(streamFreshness(fresh, T + 6000, 5000)).toEqual({ kind: 'stale', silentMs: 6000 });
    expect(streamLabel(row({ liveness: 'heartbeat', lastTickAt: null, lastEventAt: null }), T + 600_000, 5000).label).toBe('waiting for first event (quiet is normal)');
    expect(streamLabel(row({ state: 'reconnecting' }), T, 5000)).toEqual({ label: 'reconnecting', state: 'reconnecting' });
  });

  it("a recovered stream's old error is shown as past, with its time; counts are the day's", () => {
    const recovered = row({ lastError: 'no data for 6001 ms (data timeout 6000 ms)', lastErrorAt: T - 2000, connectedAt: T - 1000, reconnects: 4, reconnectAttempts: 0 });
    expect(errorIsPast(recovered)).toBe(true);
    expect(errorText(recovered, 0)).toMatch(/^earlier error \(\d\d:\d\d:\d\d, before the reconnect at \d\d:\d\d:\d\d\): no data for 6001 ms/);
    expect(reconnectsOf(recovered)).toBe(4);
    const current = row({ state: 'reconnecting', lastError: 'socket closed', lastErrorAt: T, connectedAt: null });
    expect(errorIsPast(current)).toBe(false);
    expect(errorText(current, 0)).toMatch(/^last error \d\d:\d\d:\d\d: socket closed$/);
    // stopped: the last error stays, with its time, but as history from before the stop (review of 12–14: it read as current)
    const stopped = row({ state: 'not_started', lastError: 'x', lastErrorAt: T, connectedAt: null });
    expect(errorIsPast(stopped)).toBe(true);
    expect(errorText(stopped, 0)).toMatch(/^earlier error \d\d:\d\d:\d\d \(before the stop\): x$/);
  });

  it('after Stop a stream that ran says "stopped" (its last event kept); one that never ran says "not started"', () => {
    expect(wasStopped(row({ state: 'not_started', lastEventAt: T }))).toBe(true);
    expect(streamLabel(row({ state: 'not_started', lastEventAt: T }), T + 60_000, 5000)).toEqual({ label: 'stopped', state: 'stopped' });
    const never = row({ state: 'not_started', lastEventAt: null, lastTickAt: null, connectedAt: null, lastError: null });
    expect(wasStopped(never)).toBe(false);
    expect(streamLabel(never, T, 5000)).toEqual({ label: 'not started', state: 'not_started' });
    // the header's one glance agrees
    expect(feedsSummary([row({ state: 'not_started', lastEventAt: T }), never], T, 5000, 0)?.label).toBe('feeds stopped');
    expect(feedsSummary([never], T, 5000, 0)?.label).toBe('feeds not started');
  });

  it('a structure with old legs says "stale (n legs, oldest 7.2s)", not "no quote"', () => {
    const none = new Set<string>();
    const legs = [
      { symbol: 'A', receivedAt: T - 7200 },
      { symbol: 'B', receivedAt: T - 6000 },
      { symbol: 'C', receivedAt: T - 100 },
    ];
    expect(structureAge(legs, T, 5000, none, 250)).toEqual({ level: 'stale', text: 'stale (2 legs, oldest 7.2s)', short: 'stale (2\u00a0legs)' });
    expect(structureAge([{ symbol: 'A', receivedAt: T - 1000 }, { symbol: 'B', receivedAt: T - 3000 }], T, 5000, none, 250)).toEqual({ level: 'aging', text: '3.0s', short: '3.0s' });
    expect(structureAge([{ symbol: 'A', receivedAt: null }, { symbol: 'B', receivedAt: T }], T, 5000, none, 250)).toEqual({ level: 'stale', text: 'no quote (1 leg)', short: 'no quote (1\u00a0leg)' });
    expect(structureAge([{ symbol: 'A', receivedAt: null }, { symbol: 'B', receivedAt: T }], T, 5000, new Set(['A']), 250)).toEqual({ level: 'not_subscribed', text: 'not subscribed: over the limit of 250 (1 leg)', short: 'not subscribed (1\u00a0leg)' });
  });

  it('over the limit: the configured limit is named (item 8)', () => {
    expect(notSubscribedText(3)).toBe('not subscribed: over the limit of 3');
  });

  it('the session state has a key icon that is not a font glyph (item 9: ⚿ rendered as a box)', () => {
    expect(STREAM_STATE_STYLE.session_needed.icon).toBe('key');
    expect(STREAM_STATE_STYLE.session_needed.label).toBe('session expired');
  });
});

describe('health rows of several accounts', () => {
  it('labels another account\'s rows with the account; the default account\'s and the desk\'s own keep their plain names', () => {
    expect(streamRowName(row({ accountId: 'default' }))).toBe('stocks');
    expect(streamRowName(row({ name: 'ledger' }))).toBe('ledger');
    expect(streamRowName(row({ accountId: 'sim2' }))).toBe('sim2 · stocks');
    // keys stay unique across accounts (React keys, test ids), the default's unchanged
    expect(streamRowKey(row({ accountId: 'default' }))).toBe('stocks');
    expect(streamRowKey(row({ accountId: 'sim2' }))).toBe('sim2-stocks');
  });

  it('the stale-feed summary names another account\'s feed with its account', () => {
    const later = T + 60_000;
    const s = feedsSummary([row({ accountId: 'default', lastEventAt: later, lastTickAt: later }), row({ accountId: 'sim2' })], later, 5000, 0);
    expect(s).toMatchObject({ label: 'feeds stale: sim2 · stocks', state: 'stale' });
  });
});
