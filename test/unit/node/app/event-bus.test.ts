import { describe, expect, it } from 'vitest';
import { DeskEventBus } from '../../../../src/node/app/event-bus';
import type { Logger } from '../../../../src/core/ports/logger';
import { silentLogger } from '../../../../src/core/ports/logger';
import type { DeskEvent, UnsequencedEvent } from '../../../../src/shared/contract';
import { LiveHarness } from '../../../helpers/live-harness';

const alert = (id: string): UnsequencedEvent => ({ type: 'alert', serverTime: 1, id, severity: 'info', kind: 'ledger_error', title: 't', body: 'b', subject: 's' });

describe('DeskEventBus', () => {
  it('assigns one increasing seq per event and hands every subscriber the same sequenced event', () => {
    const bus = new DeskEventBus(silentLogger);
    const a: DeskEvent[] = [];
    const b: DeskEvent[] = [];
    bus.subscribe((e) => a.push(e));
    bus.subscribe((e) => b.push(e), { internal: true });
    const first = bus.publish(alert('1'));
    bus.publish(alert('2'));
    expect(first.seq).toBe(1);
    expect(a.map((e) => e.seq)).toEqual([1, 2]);
    expect(b.map((e) => e.seq)).toEqual([1, 2]);
    expect(a[0]).toBe(b[0]);
    expect(bus.lastSeq).toBe(2);
  });

  it('runs internal state keepers before clients, and counts only clients', () => {
    const bus = new DeskEventBus(silentLogger);
    const order: string[] = [];
    const offClient = bus.subscribe(() => order.push('client'));
    bus.subscribe(() => order.push('internal'), { internal: true });
    bus.publish(alert('1'));
    expect(order).toEqual(['internal', 'client']);
    expect(bus.clientCount).toBe(1);
    offClient();
    expect(bus.clientCount).toBe(0);
    bus.subscribe(() => order.push('client2'));
    bus.clearClients();
    bus.publish(alert('2'));
    expect(order).toEqual(['internal', 'client', 'internal']);
  });

  it('a failing client is logged and does not stop the others', () => {
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (msg) => errors.push(msg) };
    const bus = new DeskEventBus(logger);
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => got.push(e.seq));
    bus.publish(alert('1'));
    expect(got).toEqual([1]);
    expect(errors).toEqual(['event listener failed']);
  });
});

describe('the live-portfolio plane subscribes to the bus (nobody calls it back)', () => {
  it('records a history event published on the bus by another producer', () => {
    const h = new LiveHarness();
    h.bus.publish(alert('from-elsewhere'));
    const history = h.live.snapshotParts().history ?? [];
    expect(history.some((e) => e.type === 'alert' && e.id === 'from-elsewhere')).toBe(true);
    expect(h.events.at(-1)?.seq).toBe(h.lastSeq);
  });
});

describe('DeskEventBus: a subscriber that publishes (issue 15: consumers answer on the bus, not by calling back)', () => {
  it('delivers the answer after the event it answers, to every subscriber, in seq order', () => {
    const bus = new DeskEventBus(silentLogger);
    const seen: Record<string, number[]> = { internal: [], client1: [], client2: [] };
    bus.subscribe((e) => {
      seen.internal!.push(e.seq);
      if (e.type === 'alert' && e.id === 'question') bus.publish(alert('answer'));
    }, { internal: true });
    bus.subscribe((e) => {
      seen.client1!.push(e.seq);
      // Inside a client: the state reflects the event handed over, not the queued answer yet.
      if (e.seq === 1) expect(bus.lastSeq).toBe(1);
    });
    bus.subscribe((e) => seen.client2!.push(e.seq));
    const q = bus.publish(alert('question'));
    expect(q.seq).toBe(1);
    expect(seen).toEqual({ internal: [1, 2], client1: [1, 2], client2: [1, 2] });
    expect(bus.lastSeq).toBe(2);
  });
});
