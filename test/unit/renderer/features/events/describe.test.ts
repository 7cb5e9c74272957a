import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../../../../src/renderer/src/features/events/describe';
import { buildFlowForest } from '../../../../../src/renderer/src/features/events/event-tree';
import type { HistoryEvent } from '../../../../../src/shared/contract';

const node = (seq: number, id: string, parent: string | null, status: 'completed' | 'failed' = 'completed'): HistoryEvent => ({
  type: 'node_event',
  seq,
  serverTime: seq * 10,
  execution_id: id,
  parent_execution_id: parent,
  timestamp: '',
  node_type: 'StreamNode',
  node_id: id,
  node_name: `Step ${id}`,
  action: 'stream_start',
  status,
  message: status === 'failed' ? 'refused 406' : null,
  details: {},
});

describe('describeEvent', () => {
  it('titles steps with their outcome and links them by execution id', () => {
    const d = describeEvent(node(3, 'b', 'a', 'failed'));
    expect(d).toMatchObject({ key: '3', type: 'node_event', executionId: 'b', parentExecutionId: 'a', tone: 'bad' });
    expect(d.title).toBe('Step b — stream_start (failed): refused 406');
  });
  it('hangs a rejected portfolio load under the step that did it', () => {
    const e: HistoryEvent = {
      type: 'portfolio_event',
      seq: 5,
      serverTime: 50,
      action: 'rejected',
      path: '/tmp/bad.json',
      status: { path: '/good.json', watching: true, loaded_at: 1, account: null, positions: 3, structures: 0, error: null },
      errors: [{ path: '$.positions[0].strike', message: 'bad' }],
      positions: [],
      structures: [],
      execution_id: 'load-1',
    };
    const d = describeEvent(e);
    expect(d).toMatchObject({ executionId: null, parentExecutionId: 'load-1', tone: 'bad' });
    expect(d.title).toContain('1 error');
    const forest = buildFlowForest([describeEvent(node(4, 'load-1', null)), d]);
    expect(forest).toHaveLength(1);
    expect(forest[0]!.children.map((c) => c.entry.key)).toEqual(['5']);
  });
});
