/**
 * Per-account monitoring-cycle scheduling (issue 17 item 1) as a pure state machine on the injected
 * Clock and Scheduler: every `intervalMs` (default 60 s) inside the hours gate (session-hours.ts);
 * never two cycles of one account at once; one account's failure never touches another's timer;
 * start/stop leave no timer behind.
 *
 * Cadence: one pending timer per active account (never an interval timer). A cycle starting at S
 * makes the next due at S + intervalMs. If the cycle is still running then, the next one starts the
 * moment it finishes — one cycle, not a burst for every missed slot — and a `delayed` event records
 * the due time and by how much it was late. Outside the gate a tick runs nothing and the next tick
 * is one interval later; a `gated` event is recorded when the reason changes (not every tick).
 *
 * NOT yet wired into the desk (issue 17 continues).
 */
import type { Cancel, Clock, Scheduler } from '../ports/clock';
import { whyNotNow, type Exchange } from './session-hours';

export const DEFAULT_INTERVAL_MS = 60_000;

export interface AccountScheduleConfig {
  readonly accountId: string;
  readonly exchange: Exchange;
  /** Default 60 s. */
  readonly intervalMs?: number;
  /** Earliest time of day (HH:mm, exchange zone); undefined → the exchange default; null → none. */
  readonly earliest?: string | null;
}

/** Runs one cycle of the account; rejects (or throws) when the cycle itself failed. */
export type AccountCycleRunner = (accountId: string) => Promise<unknown>;

export type ScheduleEvent =
  | { kind: 'cycle_started'; accountId: string; at: number }
  | { kind: 'cycle_finished'; accountId: string; at: number; durationMs: number; ok: true }
  | { kind: 'cycle_finished'; accountId: string; at: number; durationMs: number; ok: false; error: string }
  | { kind: 'delayed'; accountId: string; at: number; dueAt: number; delayMs: number; cause: string }
  | { kind: 'gated'; accountId: string; at: number; reason: string }
  | { kind: 'ungated'; accountId: string; at: number };

export interface AccountScheduleState {
  readonly active: boolean;
  readonly running: boolean;
  /** When the next tick is due (null when stopped, or while a cycle runs). */
  readonly nextDueAt: number | null;
  /** Why the last tick ran nothing, or null. */
  readonly gateReason: string | null;
  /** The last delay a slow cycle caused (ms), or null if none yet. */
  readonly lastDelayMs: number | null;
}

interface Entry {
  cfg: AccountScheduleConfig;
  intervalMs: number;
  active: boolean;
  running: boolean;
  cancel: Cancel | null;
  nextDueAt: number | null;
  /** A tick that came due while a cycle (of a previous start) was still running. */
  pendingDueAt: number | null;
  gateReason: string | null;
  lastDelayMs: number | null;
}

export interface MonitorSchedulerDeps {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly run: AccountCycleRunner;
  readonly onEvent: (e: ScheduleEvent) => void;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class MonitorScheduler {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: MonitorSchedulerDeps) {}

  /** Starts the account's schedule; its first tick is due now. */
  start(cfg: AccountScheduleConfig): void {
    const intervalMs = cfg.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new Error(`monitor schedule for account ${cfg.accountId}: intervalMs must be a positive number, got ${intervalMs}`);
    }
    const old = this.entries.get(cfg.accountId);
    if (old?.active) throw new Error(`monitor schedule for account ${cfg.accountId} is already started`);
    // a cycle of a previous start may still be running: the entry (and its running flag) is kept
    const entry: Entry = old ?? {
      cfg,
      intervalMs,
      active: false,
      running: false,
      cancel: null,
      nextDueAt: null,
      pendingDueAt: null,
      gateReason: null,
      lastDelayMs: null,
    };
    entry.cfg = cfg;
    entry.intervalMs = intervalMs;
    entry.active = true;
    entry.gateReason = null;
    this.entries.set(cfg.accountId, entry);
    this.scheduleAt(entry, this.deps.clock.now());
  }

  /** Stops the account's schedule: its timer is cancelled; a running cycle finishes, nothing follows. */
  stop(accountId: string): void {
    const entry = this.entries.get(accountId);
    if (!entry) return;
    entry.active = false;
    entry.cancel?.();
    entry.cancel = null;
    entry.nextDueAt = null;
    entry.pendingDueAt = null;
    if (!entry.running) this.entries.delete(accountId);
  }

  stopAll(): void {
    for (const id of [...this.entries.keys()]) this.stop(id);
  }

  state(accountId: string): AccountScheduleState | null {
    const e = this.entries.get(accountId);
    if (!e) return null;
    return { active: e.active, running: e.running, nextDueAt: e.nextDueAt, gateReason: e.gateReason, lastDelayMs: e.lastDelayMs };
  }

  private scheduleAt(entry: Entry, dueAt: number): void {
    entry.cancel?.();
    entry.nextDueAt = dueAt;
    entry.cancel = this.deps.scheduler.setTimeout(() => this.tick(entry, dueAt), Math.max(0, dueAt - this.deps.clock.now()));
  }

  private tick(entry: Entry, dueAt: number): void {
    entry.cancel = null;
    entry.nextDueAt = null;
    if (!entry.active) return;
    if (entry.running) {
      entry.pendingDueAt = dueAt; // started again while the previous start's cycle runs: wait for it
      return;
    }
    const now = this.deps.clock.now();
    const id = entry.cfg.accountId;
    let reason: string | null;
    try {
      reason = whyNotNow(entry.cfg.exchange, now, { earliest: entry.cfg.earliest });
    } catch (e) {
      reason = `hours gate failed: ${messageOf(e)}`; // e.g. a malformed earliest time: say so, run nothing
    }
    if (reason !== null) {
      // after a long sleep the missed slots are not replayed one by one: the next is an interval from now
      const next = dueAt + entry.intervalMs;
      this.scheduleAt(entry, next > now ? next : now + entry.intervalMs);
      if (reason !== entry.gateReason) {
        entry.gateReason = reason;
        this.deps.onEvent({ kind: 'gated', accountId: id, at: now, reason });
      }
      return;
    }
    if (entry.gateReason !== null) {
      entry.gateReason = null;
      this.deps.onEvent({ kind: 'ungated', accountId: id, at: now });
    }
    void this.runCycle(entry, now);
  }

  private async runCycle(entry: Entry, startedAt: number): Promise<void> {
    const id = entry.cfg.accountId;
    entry.running = true;
    this.deps.onEvent({ kind: 'cycle_started', accountId: id, at: startedAt });
    let error: string | null = null;
    try {
      await this.deps.run(id);
    } catch (e) {
      error = messageOf(e);
    }
    entry.running = false;
    const at = this.deps.clock.now();
    const durationMs = at - startedAt;
    this.deps.onEvent(
      error === null
        ? { kind: 'cycle_finished', accountId: id, at, durationMs, ok: true }
        : { kind: 'cycle_finished', accountId: id, at, durationMs, ok: false, error },
    );
    if (!entry.active) {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      return;
    }
    const due = entry.pendingDueAt ?? startedAt + entry.intervalMs;
    entry.pendingDueAt = null;
    if (at > due) {
      entry.lastDelayMs = at - due;
      this.deps.onEvent({ kind: 'delayed', accountId: id, at, dueAt: due, delayMs: at - due, cause: 'the previous cycle was still running' });
      this.tick(entry, at);
    } else {
      this.scheduleAt(entry, due);
    }
  }
}
