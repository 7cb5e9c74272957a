/**
 * Drives the manual exits (core/orders/exit-run.ts) through the accounts' order gateways: on a timer
 * (every `tickMs` while an exit works) and after each of the exit's orders changes, it advances each
 * working run with the time, the quote cache's quotes (fresh or not) and the journal's view of its
 * orders, carries out the actions (gateway place / replace / cancel, origin `exit`) one by one, and
 * hands back each result. Every change of a run is reported (the service turns it into a
 * `trading_event`). A run's legs' instruments are subscribed while it works.
 */
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { OrderGateway, GatewayOutcome } from '../../../core/orders/gateway';
import { advanceExit, cancelExit, exitActionDone, type ExitAction, type ExitActionResult, type ExitInputs, type ExitQuote, type ExitRun } from '../../../core/orders/exit-run';
import { QTY_DP, scaledToString, tryParseScaled } from '../../../core/model/money';
import type { ExitRunWire } from '../../../shared/trading';
import { isTerminal } from '../../../core/orders/lifecycle';


export interface ExitRunnerDeps {
  clock: Clock & Scheduler;
  logger: Logger;
  gateway(account: string): OrderGateway | null;
  /** The symbol's quote at the account's venue (bid/ask and freshness), null when not quoted. */
  quote(account: string, symbol: string): ExitQuote | null;
  /** Keeps the legs' instruments subscribed while the run works (null: release). */
  subscribe(runId: string, account: string, symbols: readonly string[] | null): void;
  changed(run: ExitRunWire): void;
  tickMs?: number;
  /** Runs kept (working first, then the most recent). */
  keep?: number;
}

export class ExitRunner {
  private readonly runs = new Map<string, ExitRun>();
  /** The step of each run in progress (a run steps one at a time). */
  private readonly busy = new Map<string, Promise<void>>();
  private timer: Cancel | null = null;
  private readonly tickMs: number;

  constructor(private readonly d: ExitRunnerDeps) {
    this.tickMs = d.tickMs ?? 250;
  }

  /** Starts a run (already planned); returns it as it stands after its first step. */
  async start(run: ExitRun): Promise<ExitRunWire> {
    this.runs.set(run.id, run);
    this.trim();
    if (run.status === 'working') this.d.subscribe(run.id, run.account, run.legs.map((l) => l.symbol));
    this.d.changed(exitRunToWire(run));
    await this.step(run.id);
    this.ensureTimer();
    return exitRunToWire(this.runs.get(run.id)!);
  }

  get(id: string): ExitRun | null {
    return this.runs.get(id) ?? null;
  }

  /** Working first, then the most recent. */
  list(): ExitRunWire[] {
    return [...this.runs.values()].sort((a, b) => Number(b.status === 'working') - Number(a.status === 'working') || b.startedAt - a.startedAt).map(exitRunToWire);
  }

  /** Stops a working run: its working orders are cancelled. */
  async cancel(id: string, reason: string): Promise<ExitRunWire | null> {
    if (!this.runs.has(id)) return null;
    // A step in progress may be sending an order: once it is done, that order is known and cancelled too.
    await this.busy.get(id);
    const run = this.runs.get(id)!;
    const g = this.d.gateway(run.account);
    const { run: next, actions } = cancelExit(run, this.d.clock.now(), reason, (cid) => {
      const o = g?.order(cid);
      return o !== null && o !== undefined && !isTerminal(o.status);
    });
    this.runs.set(id, next);
    this.d.subscribe(id, run.account, null);
    for (const a of actions) {
      if (a.kind !== 'cancel' || !g) continue;
      const out = await g.cancel(a.clientOrderId);
      if (out.kind !== 'accepted') this.d.logger.warn('exit cancel: an order was not cancelled', { exit: id, order: a.clientOrderId, outcome: out.kind, reason: 'reason' in out ? out.reason : null });
    }
    this.d.changed(exitRunToWire(next));
    return exitRunToWire(next);
  }

  /** An order of the account changed: its runs step now (rather than at the next tick). */
  orderChanged(account: string): void {
    for (const r of this.runs.values()) if (r.account === account && r.status === 'working') void this.step(r.id);
  }

  /** The account stopped: its working runs end (their orders stay as they are at the venue). */
  accountStopped(account: string): void {
    for (const r of [...this.runs.values()]) {
      if (r.account !== account || r.status !== 'working') continue;
      const { run } = cancelExit(r, this.d.clock.now(), `account ${account} stopped: the exit ended (its working orders stay at the venue)`, () => false);
      this.runs.set(r.id, run);
      this.d.subscribe(r.id, account, null);
      this.d.changed(exitRunToWire(run));
    }
  }

  dispose(): void {
    this.timer?.();
    this.timer = null;
  }

  private ensureTimer(): void {
    const working = [...this.runs.values()].some((r) => r.status === 'working');
    if (working && !this.timer) {
      this.timer = this.d.clock.setInterval(() => {
        for (const r of this.runs.values()) if (r.status === 'working') void this.step(r.id);
        this.ensureTimer();
      }, this.tickMs);
    } else if (!working && this.timer) {
      this.timer();
      this.timer = null;
    }
  }

  /** One step of a run: advance, carry out its actions one by one, hand back the results. */
  private step(id: string): Promise<void> {
    const inProgress = this.busy.get(id);
    if (inProgress) return inProgress;
    const run = this.runs.get(id);
    if (!run || run.status !== 'working') return Promise.resolve();
    const p = this.doStep(id, run).finally(() => {
      this.busy.delete(id);
      this.ensureTimer();
    });
    this.busy.set(id, p);
    return p;
  }

  private async doStep(id: string, run: ExitRun): Promise<void> {
    try {
      const g = this.d.gateway(run.account);
      const inputs: ExitInputs = {
        now: this.d.clock.now(),
        quote: (symbol) => this.d.quote(run.account, symbol),
        order: (cid) => {
          const o = g?.order(cid);
          if (!o) return null;
          const filled = (tryParseScaled(o.priorFilledQuantity, QTY_DP) ?? 0n) + (tryParseScaled(o.filledQuantity, QTY_DP) ?? 0n);
          return { status: o.status, filled, pending: o.pending !== null, reason: o.reason };
        },
      };
      const { run: advanced, actions } = advanceExit(run, inputs);
      let current = advanced;
      this.runs.set(id, current);
      const before = JSON.stringify(exitRunToWire(run));
      for (const action of actions) {
        const result = g ? await this.carryOut(g, current, action) : ({ kind: 'retry', reason: `account ${run.account} is not running` } as const);
        // the run may have been cancelled while the action was out
        const latest = this.runs.get(id)!;
        current = exitActionDone(latest, action, result, this.d.clock.now());
        this.runs.set(id, current);
      }
      if (current.status !== 'working') this.d.subscribe(id, run.account, null);
      const wire = exitRunToWire(current);
      if (JSON.stringify(wire) !== before) this.d.changed(wire);
    } catch (err) {
      this.d.logger.error('exit step failed', { exit: id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async carryOut(g: OrderGateway, run: ExitRun, a: ExitAction): Promise<ExitActionResult> {
    let out: GatewayOutcome;
    if (a.kind === 'place') {
      out = await g.place({ accountId: run.account, symbol: a.symbol, side: a.side, quantity: a.quantity, orderType: a.orderType, limitPrice: a.limitPrice, reason: `exit ${run.id}`, origin: 'exit' });
      if (out.kind === 'refused') return out.cause === 'busy' ? { kind: 'retry', reason: out.reason } : { kind: 'failed', reason: out.reason };
      if (out.kind === 'rejected') return { kind: 'failed', reason: out.reason };
      return { kind: 'ok', clientOrderId: out.order.clientOrderId }; // accepted, or unknown (the trading service asks the venue until it is settled; the leg follows the journal)
    }
    out = a.kind === 'replace' ? await g.replace(a.clientOrderId, { limitPrice: a.limitPrice }) : await g.cancel(a.clientOrderId);
    if (out.kind === 'accepted' || out.kind === 'unknown') return { kind: 'ok' };
    if (out.kind === 'refused' && (out.cause === 'mode' || out.cause === 'kill_switch')) return { kind: 'failed', reason: out.reason };
    return { kind: 'retry', reason: out.reason };
  }

  private trim(): void {
    const keep = this.d.keep ?? 50;
    if (this.runs.size <= keep) return;
    const done = [...this.runs.values()].filter((r) => r.status !== 'working').sort((a, b) => a.startedAt - b.startedAt);
    for (const r of done.slice(0, this.runs.size - keep)) this.runs.delete(r.id);
  }
}

export function exitRunToWire(run: ExitRun): ExitRunWire {
  return {
    id: run.id,
    account: run.account,
    target: run.target,
    status: run.status,
    legs: run.legs.map((l) => ({
      symbol: l.symbol,
      side: l.side,
      quantity: scaledToString(l.quantity, QTY_DP),
      phase: l.phase,
      method: l.method,
      attempts: l.attempts,
      last_price: l.lastPriceCents === null ? null : (l.lastPriceCents / 100).toFixed(2),
      client_order_id: l.clientOrderId,
      filled_quantity: scaledToString(l.filledBefore + l.filled, QTY_DP),
      status: l.status,
      reason: l.reason,
    })),
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    reason: run.reason,
  };
}
