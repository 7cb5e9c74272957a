import { describe, expect, it } from 'vitest';
import { buildFlowForest, countByType, type HistoryEntry } from '../../../../../src/renderer/src/features/events/event-tree';

const e = (key: string, type: string, t: number, executionId: string | null, parentExecutionId: string | null): HistoryEntry => ({ key, type, t, executionId, parentExecutionId });

describe('buildFlowForest', () => {
  const entries = [
    e('1', 'node_event', 100, 'start', null),
    e('2', 'node_event', 110, 'plan', 'start'),
    e('3', 'node_event', 120, 'sub', 'plan'),
    e('4', 'health_event', 130, null, null),
    e('5', 'position_event', 140, 'entry', 'start'),
    e('6', 'node_event', 50, 'orphan', 'gone'),
  ];
  it('links children under parents by execution id; roots newest first, children in time order', () => {
    const f = buildFlowForest(entries);
    expect(f.map((n) => n.entry.key)).toEqual(['4', '1', '6']);
    const start = f[1]!;
    expect(start.size).toBe(4);
    expect(start.children.map((c) => c.entry.key)).toEqual(['2', '5']);
    expect(start.children[0]!.children.map((c) => c.entry.key)).toEqual(['3']);
  });
  it('promotes children whose parent is filtered out', () => {
    const f = buildFlowForest(entries, (t) => t === 'position_event');
    expect(f.map((n) => n.entry.key)).toEqual(['5']);
  });
  it('survives self-references and cycles', () => {
    const f = buildFlowForest([e('a', 'x', 1, 'A', 'B'), e('b', 'x', 2, 'B', 'A'), e('c', 'x', 3, 'C', 'C')]);
    const total = f.reduce((s, n) => s + n.size, 0);
    expect(total).toBe(3);
  });
  it('counts per type', () => {
    expect(countByType(entries)).toEqual({ node_event: 4, health_event: 1, position_event: 1 });
  });
});
