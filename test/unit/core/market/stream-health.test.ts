import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { StreamHealthTracker, lastTickAgeMs } from '../../../../src/core/market/stream-health';

describe('StreamHealthTracker', () => {
  it('records transitions, counters and resets the attempt count once data flows', () => {
    const clock = new ManualClock(1000);
    const t = new StreamHealthTracker('stocks', clock);
    const states: string[] = [];
    t.onChange((h) => states.push(h.state));
    t.connecting();
    t.running();
    t.reconnecting('socket closed (1006)', 3000);
    t.reconnecting('connection refused', 5000);
    expect(t.snapshot()).toMatchObject({ state: 'reconnecting', reconnectAttempts: 2, reconnects: 2, lastError: 'connection refused', nextRetryAt: 5000 });
    t.connecting();
    t.running();
    clock.advance(500);
    t.tick(clock.now());
    t.malformed();
    t.dropped(3);
    t.subscriptions(10, 9);
    t.refused(['BAD'], '405 symbol limit exceeded');
    const h = t.snapshot();
    expect(h).toMatchObject({ reconnectAttempts: 0, reconnects: 2, malformedFrames: 1, droppedEvents: 3, subscriptions: 10, subscriptionsConfirmed: 9, refusedSymbols: ['BAD'] });
    clock.advance(250);
    expect(lastTickAgeMs(h, clock.now())).toBe(250);
    t.failed('402 auth failed');
    t.sessionNeeded('401');
    t.stopped();
    expect(states).toEqual(['connecting', 'running', 'reconnecting', 'reconnecting', 'connecting', 'running', 'running', 'error', 'session_needed', 'not_started']);
  });
});
