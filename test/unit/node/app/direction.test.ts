// Issue 15 item 5: no two classes call each other back and forth. The live-portfolio plane and the
// alert monitor never reach into the desk; they talk to narrow ports and the event bus, wired by
// the composition (the desk constructor / src/node/app).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeskEventBus } from '../../../../src/node/app/event-bus';
import { alertsOnBus } from '../../../../src/node/app/alert-wiring';
import { SubscriptionDemand } from '../../../../src/node/app/subscription-demand';
import { ManualClock } from '../../../../src/core/ports/clock';
import { silentLogger } from '../../../../src/core/ports/logger';
import type { DeskEvent, StreamHealthWire } from '../../../../src/shared/contract';
import { sims } from '../../../helpers/ids';

const ROOT = join(__dirname, '../../../..');
const source = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('direction of calls', () => {
  it('the live-portfolio plane, the alert monitor and the app layer never import the desk', () => {
    for (const file of ['src/node/live-portfolio.ts', 'src/core/alerts/alert-monitor.ts', 'src/node/app/alert-wiring.ts', 'src/node/app/subscription-demand.ts', 'src/node/app/event-bus.ts']) {
      expect(source(file), file).not.toMatch(/from '\.\.?\/(\.\.\/)*desk'/);
    }
  });

  it('the desk never constructs a concrete venue: only the registry does (compose.ts asks it)', () => {
    const desk = source('src/node/desk.ts');
    expect(desk).not.toMatch(/new (AlpacaVenue|SimVenueServer|AlpacaMarketData|AlpacaExecution)\(/);
    expect(desk).not.toMatch(/^import \{[^}]*\} from '\.\/venues\/(alpaca\/venue|sim\/server|alpaca\/ports)'/m);
    expect(source('src/node/compose.ts')).not.toMatch(/new \w*Venue\w*\(/);
    expect(source('src/node/venues/registry.ts')).toMatch(/new AlpacaVenue\(/);
  });

  it('the desk neither asks the alert monitor to check its health nor hands the P&L plane a callback into itself', () => {
    const desk = source('src/node/desk.ts');
    expect(desk).not.toMatch(/alerts\.check\(/);
    expect(desk).not.toMatch(/new AlertMonitor\(/);
    expect(desk).toMatch(/subscriptions: this\.demand,/);
  });

  it('alerts come from health_events on the bus, whoever published them, and follow them in seq order', () => {
    const clock = new ManualClock(1_000_000);
    const bus = new DeskEventBus(silentLogger);
    alertsOnBus(bus, clock);
    const events: DeskEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const row = (state: StreamHealthWire['state']): StreamHealthWire => ({ name: 'stocks', accountId: 'default', state, lastError: state === 'error' ? 'boom' : null, reconnectAttempts: 0, lastEventAt: clock.now(), queueDepth: 0, droppedEvents: 0, subscriptions: 1 });
    const health = (state: StreamHealthWire['state']) => bus.publish({ type: 'health_event', serverTime: clock.now(), streaming: true, streams: [row(state)], plan: null });
    health('running');
    clock.advance(1000);
    health('error');
    const types = events.map((e) => `${e.seq}:${e.type}`);
    expect(types[0]).toBe('1:health_event');
    expect(types[1]).toBe('2:health_event');
    expect(types.slice(2).every((t) => t.endsWith(':alert'))).toBe(true);
    expect(types.length).toBeGreaterThan(2);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('the P&L plane states its needs on a narrow port; the planner listens', () => {
    const demand = new SubscriptionDemand(() => sims('SPY'));
    const heard: (readonly string[])[] = [];
    demand.onChange(() => heard.push(demand.instruments));
    demand.replaceSubscriptions('pnl', sims('AAPL', 'SPY'));
    demand.release('pnl');
    expect(heard).toEqual([['sim:AAPL', 'sim:SPY']]);
    expect(demand.instruments).toEqual([]);
    expect(demand.subscribedInstruments()).toEqual(['sim:SPY']);
  });
});
