/**
 * One line per history event for the Events page, and how it links into execution flows: a
 * node_event IS a step (its own execution_id, child of parent_execution_id); a position or
 * portfolio event produced by a step hangs under that step.
 */
import type { HistoryEvent } from '@shared/contract';
import type { HistoryEntry } from './event-tree';
import { orderChange } from './order-words';
import { plural } from '../format/format';

export type EventTone = 'info' | 'good' | 'bad' | 'warn';

export interface DescribedEvent extends HistoryEntry {
  title: string;
  tone: EventTone;
  event: HistoryEvent;
}

export const EVENT_TYPE_LABEL: Record<HistoryEvent['type'], string> = {
  node_event: 'step',
  position_event: 'position',
  fill_event: 'fill',
  order_event: 'order',
  portfolio_event: 'portfolio',
  alert: 'alert',
  killswitch_event: 'kill switch',
};

function titleOf(e: HistoryEvent): { title: string; tone: EventTone } {
  switch (e.type) {
    case 'node_event':
      return {
        title: `${e.node_name} — ${e.action}${e.status !== 'completed' ? ` (${e.status})` : ''}${e.message ? `: ${e.message}` : ''}`,
        tone: e.status === 'failed' ? 'bad' : e.status === 'completed' ? 'good' : 'info',
      };
    case 'position_event': {
      const p = e.position;
      const verb = e.action === 'entry' ? 'Entered' : e.action === 'exit' ? 'Exited' : 'Partly exited';
      const price = e.action === 'entry' ? p.entry_price : p.exit_price;
      return {
        title: `${verb} ${p.symbol} ${p.side} ${p.quantity}${price !== null ? ` @ ${price}` : ''} — ${p.status.toLowerCase()}, ${p.quantity_remaining} left${p.exit_reason ? ` (${p.exit_reason})` : p.entry_trigger ? ` (${p.entry_trigger})` : ''}`,
        tone: 'info',
      };
    }
    case 'fill_event': {
      const f = e.fill;
      return { title: `Fill ${f.side} ${f.quantity} ${f.symbol} @ ${f.price}${f.rejected ? ` — refused: ${f.rejected}` : ''}`, tone: f.rejected ? 'bad' : 'info' };
    }
    case 'order_event': {
      const o = e.order;
      return { title: `Order ${o.order_id} ${o.side} ${o.quantity} ${o.symbol}: ${orderChange(o)}`, tone: o.status === 'rejected' ? 'bad' : 'info' };
    }
    case 'portfolio_event':
      return e.action === 'rejected'
        ? { title: `Portfolio rejected: ${e.path} (${plural(e.errors.length, 'error')}; the last good positions stay)`, tone: 'bad' }
        : { title: `Portfolio ${e.action}: ${e.path} (${plural(e.status.positions, 'position')}, ${plural(e.status.structures, 'structure')})`, tone: 'good' };
    case 'alert':
      return { title: `${e.title}${e.body ? ` — ${e.body}` : ''}`, tone: e.severity === 'critical' ? 'bad' : e.severity === 'warning' ? 'warn' : 'info' };
    case 'killswitch_event':
      return { title: `Kill switch ${e.change.account}: ${e.change.from} → ${e.change.to} (${e.change.reason})`, tone: e.change.to === 'active' ? 'good' : 'bad' };
  }
}

export function describeEvent(e: HistoryEvent): DescribedEvent {
  const { title, tone } = titleOf(e);
  let executionId: string | null = null;
  let parentExecutionId: string | null = null;
  if (e.type === 'node_event') {
    executionId = e.execution_id;
    parentExecutionId = e.parent_execution_id;
  } else if (e.type === 'position_event' || e.type === 'portfolio_event') {
    parentExecutionId = e.execution_id ?? null;
  }
  return { key: String(e.seq), type: e.type, t: e.serverTime, executionId, parentExecutionId, title, tone, event: e };
}

/** Memoized per event object (history entries never change once received). */
const cache = new WeakMap<HistoryEvent, DescribedEvent>();
export function describeCached(e: HistoryEvent): DescribedEvent {
  let d = cache.get(e);
  if (!d) cache.set(e, (d = describeEvent(e)));
  return d;
}
