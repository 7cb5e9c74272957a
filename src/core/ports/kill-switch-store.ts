import type { KillSwitchEntry } from '../risk/kill-switch';

/** What the kill switch persists: one entry per scope (an account id, or `*` for every account). */
export interface KillSwitchRecord {
  version: 1;
  entries: KillSwitchEntry[];
}

/**
 * Persistence of the kill switch across restarts. `load` returns null when nothing was ever
 * stored and throws (with a message naming the problem) when what is stored cannot be read.
 */
export interface KillSwitchStore {
  load(): KillSwitchRecord | null;
  save(record: KillSwitchRecord): void;
}

/** Keeps the state in memory only: for tests and for a desk started without a state directory. */
export class MemoryKillSwitchStore implements KillSwitchStore {
  record: KillSwitchRecord | null = null;
  saves = 0;

  constructor(initial: KillSwitchRecord | null = null) {
    this.record = initial;
  }

  load(): KillSwitchRecord | null {
    return this.record === null ? null : copy(this.record);
  }

  save(record: KillSwitchRecord): void {
    this.saves += 1;
    this.record = copy(record);
  }
}

function copy(record: KillSwitchRecord): KillSwitchRecord {
  return { version: record.version, entries: record.entries.map((e) => ({ ...e })) };
}
