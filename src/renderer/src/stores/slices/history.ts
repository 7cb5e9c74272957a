/**
 * Events and alerts: the event history (node/position/portfolio/fill/order/alert/kill switch,
 * oldest first) and the execution flows indexed from its node events (the Events page).
 */
import { isHistoryEvent, type HistoryEvent, type NodeEvent } from '@shared/contract';
import { appendBounded, LIMITS, type Slice } from './slice';

export interface HistorySlice {
  /** Event history, oldest first. */
  history: HistoryEvent[];
  /** node_event by execution_id. */
  nodes: Record<string, NodeEvent>;
  /** execution_ids of each parent's children, in arrival order. */
  children: Record<string, string[]>;
}

function indexHistory(history: readonly HistoryEvent[]): Pick<HistorySlice, 'nodes' | 'children'> {
  const nodes: Record<string, NodeEvent> = {};
  const children: Record<string, string[]> = {};
  for (const e of history) {
    if (e.type !== 'node_event') continue;
    nodes[e.execution_id] = e;
    if (e.parent_execution_id !== null) {
      const c = (children[e.parent_execution_id] ??= []);
      if (!c.includes(e.execution_id)) c.push(e.execution_id);
    }
  }
  return { nodes, children };
}

export const historySlice: Slice<HistorySlice> = {
  name: 'history',
  initial: { history: [], nodes: {}, children: {} },
  fromSnapshot(s) {
    const history = s.history ?? [];
    return { history: history.slice(-LIMITS.history), ...indexHistory(history) };
  },
  reduce(state, event) {
    if (!isHistoryEvent(event)) return null;
    let { nodes, children } = state;
    if (event.type === 'node_event') {
      nodes = { ...nodes, [event.execution_id]: event };
      if (event.parent_execution_id !== null) {
        const siblings = children[event.parent_execution_id] ?? [];
        if (!siblings.includes(event.execution_id)) children = { ...children, [event.parent_execution_id]: [...siblings, event.execution_id] };
      }
    }
    return { history: appendBounded(state.history, [event], LIMITS.history), nodes, children };
  },
};
