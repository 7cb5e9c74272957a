import { describe, expect, it } from 'vitest';
import { CriticalTransitionDetector } from '../../../../src/core/alerts/transitions';
import type { FeedHealth } from '../../../../src/core/alerts/feed-health';

const feed = (over: Partial<FeedHealth> = {}): FeedHealth => ({ name: 'sim', state: 'running', lastError: null, lastEventAt: 0, ...over });

describe('CriticalTransitionDetector', () => {
  it('keys feeds by account and name: two accounts\' stocks streams are two feeds, another account\'s named with it', () => {
    const d = new CriticalTransitionDetector(10_000);
    const feeds = (t: number) => [feed({ name: 'stocks', accountId: 'default', lastEventAt: t }), feed({ name: 'stocks', accountId: 'sim2', lastEventAt: 0 })];
    const first = d.update(20_000, true, feeds(19_900));
    expect(first.map((a) => [a.kind, a.subject, a.title])).toEqual([['feed_stale', 'sim2:stocks', 'Feed stale: sim2 · stocks']]);
    // The default account's fresh feed does not clear the other's memory: no repeat while it stays stale.
    for (let t = 21_000; t < 30_000; t += 1000) expect(d.update(t, true, feeds(t - 100))).toEqual([]);
    // The default account's own feed keeps its plain name.
    expect(d.update(60_000, true, [feed({ name: 'stocks', accountId: 'default', lastEventAt: 0 }), feed({ name: 'stocks', accountId: 'sim2', lastEventAt: 0 })]).map((a) => [a.subject, a.title])).toEqual([['stocks', 'Feed stale: stocks']]);
  });

  it('fires feed_stale once when the threshold is crossed, and reports recovery', () => {
    const d = new CriticalTransitionDetector(10_000);
    expect(d.update(5_000, true, [feed({ lastEventAt: 0 })])).toEqual([]);
    expect(d.update(10_000, true, [feed({ lastEventAt: 0 })])).toEqual([]); // exactly at threshold: not beyond
    const first = d.update(10_001, true, [feed({ lastEventAt: 0 })]);
    expect(first.map((a) => a.kind)).toEqual(['feed_stale']);
    expect(first[0]).toMatchObject({ severity: 'warning', subject: 'sim' });
    expect(first[0]!.body).toContain('10 s');
    for (let t = 11_000; t < 60_000; t += 1000) expect(d.update(t, true, [feed({ lastEventAt: 0 })])).toEqual([]);
    const back = d.update(60_000, true, [feed({ lastEventAt: 59_900 })]);
    expect(back.map((a) => [a.kind, a.severity])).toEqual([['feed_recovered', 'info']]);
    // stale again → a new transition fires again
    expect(d.update(80_000, true, [feed({ lastEventAt: 59_900 })]).map((a) => a.kind)).toEqual(['feed_stale']);
  });

  it('a stream that never delivers becomes stale counted from when it was first seen running', () => {
    const d = new CriticalTransitionDetector(1000);
    expect(d.update(100, true, [feed({ lastEventAt: null })])).toEqual([]);
    expect(d.update(1100, true, [feed({ lastEventAt: null })])).toEqual([]);
    const a = d.update(1101, true, [feed({ lastEventAt: null })]);
    expect(a.map((x) => x.kind)).toEqual(['feed_stale']);
    expect(a[0]!.body).toContain('no data since it started');
  });

  it('quiet is not stale: a running heartbeat stream (trade_updates, rest) never raises feed_stale', () => {
    const d = new CriticalTransitionDetector(10_000);
    const quietFeeds = [feed({ name: 'trade_updates', liveness: 'heartbeat', lastEventAt: 0 }), feed({ name: 'rest', liveness: 'heartbeat', lastEventAt: null })];
    for (let t = 0; t <= 600_000; t += 1000) expect(d.update(t, true, quietFeeds)).toEqual([]);
    // a data stream silent as long is stale, as before
    expect(d.update(600_000, true, [feed({ name: 'stocks', lastEventAt: 0 })]).map((a) => a.kind)).toEqual(['feed_stale']);
  });

  it('does not call a stopped desk stale, nor its stop a recovery', () => {
    const d = new CriticalTransitionDetector(1000);
    expect(d.update(50_000, false, [feed({ lastEventAt: 0 })])).toEqual([]);
    d.update(60_000, true, [feed({ lastEventAt: 0 })]);
    expect(d.update(61_000, false, [feed({ state: 'not_started', lastEventAt: 0 })])).toEqual([]);
  });

  it('fires stream_error and session_needed once per entry into the state', () => {
    const d = new CriticalTransitionDetector(10_000);
    const err = feed({ state: 'error', lastError: 'socket closed 1006' });
    const a = d.update(1, true, [err]);
    expect(a).toEqual([expect.objectContaining({ kind: 'stream_error', severity: 'critical', body: 'socket closed 1006' })]);
    expect(d.update(2, true, [err])).toEqual([]);
    expect(d.update(3, true, [feed({ state: 'reconnecting' })])).toEqual([]);
    expect(d.update(4, true, [err]).map((x) => x.kind)).toEqual(['stream_error']);
    const s = d.update(5, true, [feed({ name: 'smartapi', state: 'session_needed' }), err]);
    expect(s.map((x) => [x.kind, x.subject])).toEqual([['session_needed', 'smartapi']]);
  });

  it('tracks streams independently and forgets removed ones', () => {
    const d = new CriticalTransitionDetector(1000);
    const out = d.update(5000, true, [feed({ name: 'a', lastEventAt: 0 }), feed({ name: 'b', lastEventAt: 4900 })]);
    expect(out.map((x) => x.subject)).toEqual(['a']);
    d.update(5001, true, [feed({ name: 'b', lastEventAt: 4900 })]);
    expect(d.update(5002, true, [feed({ name: 'a', lastEventAt: 0 })]).map((x) => x.subject)).toEqual(['a']);
  });
});
