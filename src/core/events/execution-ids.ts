/**
 * Execution ids in the reference's shape, `exec_<node>_<yyyymmdd>_<hhmmss>_<n>`: readable, sortable
 * by time, unique within a process without randomness (a counter), so replays are deterministic.
 */
export class ExecutionIds {
  private n = 0;

  constructor(private readonly prefix = '') {}

  next(nodeId: string, nowMs: number): string {
    this.n += 1;
    const iso = new Date(nowMs).toISOString(); // an explicit instant, not the wall clock
    const stamp = `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
    return `exec_${nodeId}_${stamp}_${this.prefix}${this.n.toString(16).padStart(4, '0')}`;
  }
}
