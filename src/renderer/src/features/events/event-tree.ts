/**
 * The execution-flow drill-down of the Events page: history entries linked parent → child by
 * `execution_id` / `parent_execution_id`. Entries without a known parent are roots; a child whose
 * parent is filtered out is promoted to a root so nothing disappears silently.
 */
export interface HistoryEntry {
  /** Unique key in the history (e.g. the event's seq). */
  key: string;
  type: string;
  /** Epoch ms. */
  t: number;
  executionId: string | null;
  parentExecutionId: string | null;
}

export interface FlowNode<E extends HistoryEntry> {
  entry: E;
  children: FlowNode<E>[];
  /** Entries in this subtree, itself included. */
  size: number;
}

/** Roots newest first; children oldest first (the order things happened inside a flow). */
export function buildFlowForest<E extends HistoryEntry>(entries: readonly E[], includeType: (type: string) => boolean = () => true): FlowNode<E>[] {
  const visible = entries.filter((e) => includeType(e.type));
  const byExec = new Map<string, FlowNode<E>>();
  const nodes = visible.map((entry) => ({ entry, children: [] as FlowNode<E>[], size: 1 }));
  for (const n of nodes) if (n.entry.executionId !== null && !byExec.has(n.entry.executionId)) byExec.set(n.entry.executionId, n);
  const roots: FlowNode<E>[] = [];
  for (const n of nodes) {
    const parentId = n.entry.parentExecutionId;
    const parent = parentId !== null ? byExec.get(parentId) : undefined;
    // Guard against self-parenting and cycles: attach only to a node that is not in our subtree.
    if (parent && parent !== n && !isAncestor(n, parent)) parent.children.push(n);
    else roots.push(n);
  }
  const finish = (n: FlowNode<E>): number => {
    n.children.sort((a, b) => a.entry.t - b.entry.t || a.entry.key.localeCompare(b.entry.key));
    n.size = 1 + n.children.reduce((s, c) => s + finish(c), 0);
    return n.size;
  };
  for (const r of roots) finish(r);
  roots.sort((a, b) => b.entry.t - a.entry.t || b.entry.key.localeCompare(a.entry.key));
  return roots;
}

function isAncestor<E extends HistoryEntry>(candidate: FlowNode<E>, of: FlowNode<E>): boolean {
  const stack = [...candidate.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === of) return true;
    stack.push(...n.children);
  }
  return false;
}

/** Counts per type, for the filter chips. */
export function countByType(entries: readonly HistoryEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}
