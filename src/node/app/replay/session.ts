/**
 * One replay run (issue 21): a separate Desk composed with the replay venue (venues/replay), the
 * replay clock and in-memory stores, so the live desk is never touched. The day's steps are applied
 * one at a time: the clock jumps to the step's instant (firing every timer due on the way), the step's
 * quotes go out through the market-data port, resting paper orders are matched, then the desk's
 * pending work runs (promise continuations, then the order updates the matcher made, until quiet).
 * Everything downstream — quote cache, P&L tracker, monitoring cycle, strategy runtime, events — is
 * the desk's own, unchanged.
 *
 * Speed only sets how long the run waits in real time between two steps (1×: the recorded gap;
 * `max`: not at all), never what happens at a step, so a day gives the same event stream at every
 * speed. The stream's sha256 (one canonical JSON line per event) is the run's fingerprint.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Instrument } from '../../../core/model/instrument';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import { SeededRandom } from '../../../core/model/random';
import { ReplayClock } from '../../../core/replay/replay-clock';
import { progressOf, stepIndexAt, type ReplayDay } from '../../../core/replay/day';
import { PnlCurve } from '../../../core/replay/result';
import type { StrategyDefinition } from '../../../core/strategy/definition';
import { DEFAULT_ACCOUNT_ID, type Account } from '../../../core/model/account';
import type { DeskEvent } from '../../../shared/contract';
import type { ReplayFeedItem, ReplayResultWire, ReplaySpeedWire } from '../../../shared/replay';
import type { Desk, DeskConfig, DeskDeps } from '../../desk';
import type { VenueFactory } from '../../compose';
import { ReplayVenue } from '../../venues/replay/venue';

export type ReplaySpeed = ReplaySpeedWire;

export interface ReplaySessionOptions {
  day: ReplayDay;
  /** Definitions to run (their account is rewritten to the replay desk's account). */
  strategies?: readonly StrategyDefinition[];
  /** Positions the replayed desk values (a portfolio file), as the live desk does; default none. */
  portfolioPath?: string | null;
  /** Desk configuration over the replay's (stale threshold, mark policy…). */
  config?: Partial<DeskConfig>;
  /** Run the monitoring cycle (default true). */
  monitor?: boolean;
  /** Virtual time before the first step: the desk starts, reconciles, strategies are started (default 5 s). */
  warmupMs?: number;
  speed?: ReplaySpeed;
  logger?: Logger;
  /** A replayed symbol's instrument as the live desk knows it (lot size, contract value); default: Alpaca's symbol rules. */
  instrumentOf?: (symbol: string) => Instrument | null;
  /** The desk constructor (desk.ts createDesk; injected so this module does not import the desk at run time). */
  createDesk: (deps: DeskDeps) => Desk;
  /** Every event the replayed desk publishes, in order. */
  onEvent?: (event: DeskEvent) => void;
  /** After each step (its index), once the desk is quiet. */
  onStep?: (index: number, session: ReplaySession) => void;
}

/**
 * The stale threshold of a replayed day: the desk's default (5 s), or twice the day's typical step
 * gap when that is longer — in a day of one-minute steps every quote is a minute old before the next
 * one, which is the data's resolution, not a stale feed. (A gap longer than usual still goes stale.)
 */
export function replayStaleAfterMs(day: Pick<ReplayDay, 'steps'>): number {
  const gaps: number[] = [];
  for (let i = 1; i < day.steps.length; i++) gaps.push(day.steps[i]!.t - day.steps[i - 1]!.t);
  if (gaps.length === 0) return 5_000;
  gaps.sort((a, b) => a - b);
  return Math.max(5_000, 2 * gaps[Math.floor(gaps.length / 2)]!);
}

export type SessionState = 'new' | 'ready' | 'playing' | 'paused' | 'done' | 'failed' | 'stopped';

const REPLAY_ACCOUNT: Account = { id: DEFAULT_ACCOUNT_ID, label: 'Replay', venue: 'sim', mode: 'SIM', credentialsRef: null };
/** Rounds of "let the desk's pending work run" per step at most (each: a macrotask turn, then order updates). */
const MAX_SETTLE_ROUNDS = 16;
/** A 1× gap longer than this is waited only this long (a night, a lunch break in the recording). */
const MAX_WAIT_MS = 5_000;

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Lets promise continuations run (up to HOPS deep) without leaving the microtask queue: cheap, and the same at every speed. */
const HOPS = 32;
async function hops(): Promise<void> {
  for (let i = 0; i < HOPS; i++) await undefined;
}

export class ReplaySession {
  readonly clock: ReplayClock;
  readonly desk: Desk;
  readonly venue: ReplayVenue;
  readonly curve = new PnlCurve();
  readonly feed: ReplayFeedItem[] = [];
  state: SessionState = 'new';
  speed: ReplaySpeed;
  error: string | null = null;
  /** Steps applied so far (the next step's index). */
  index = 0;
  trades = 0;
  events = 0;
  activeNodes: string[] = [];
  private readonly hash: Hash = createHash('sha256');
  private digest: string | null = null;
  private loop: Promise<void> | null = null;
  private pauseAt: number | null = null;
  /** Ends a real-time wait between two steps early (pause, stop, a speed change). */
  private wake: (() => void) | null = null;
  private readonly strategyIds: string[] = [];
  private offEvents: (() => void) | null = null;
  private realized: string | null = null;
  private currency: string | null = null;
  private resultValue: ReplayResultWire | null = null;
  /** Called when the run ends (done, failed or stopped). */
  onEnd: (() => void) | null = null;

  constructor(private readonly o: ReplaySessionOptions) {
    const day = o.day;
    const warmup = o.warmupMs ?? 5_000;
    this.clock = new ReplayClock(day.steps[0]!.t - warmup);
    this.speed = o.speed ?? 'max';
    this.venue = new ReplayVenue({ day, clock: this.clock, accountId: REPLAY_ACCOUNT.id, venueName: REPLAY_ACCOUNT.venue, kind: 'sim', mode: 'SIM', ...(o.instrumentOf ? { instrumentOf: o.instrumentOf } : {}) });
    const venue = this.venue;
    const factory: VenueFactory = (request) => {
      if (request.account.id !== REPLAY_ACCOUNT.id) return Promise.reject(new Error(`replay: account ${request.account.id} is not the replay's`));
      return Promise.resolve({ account: request.account, marketData: venue.marketData, execution: venue.execution, sim: null, dispose: () => Promise.resolve() });
    };
    const rng = new SeededRandom(0x7e91a7);
    this.desk = o.createDesk({
      clock: this.clock,
      logger: o.logger ?? silentLogger,
      random: () => rng.next(),
      venues: factory,
      portfolioPath: o.portfolioPath ?? null,
      config: { venue: 'sim', watchlist: day.symbols, maxOptionContracts: Math.max(250, day.symbols.length), staleAfterMs: replayStaleAfterMs(day), ...o.config },
      monitorDefaults: { enabled: o.monitor ?? true },
      replayProgress: () => progressOf(this.index, day.steps.length),
    });
    this.offEvents = this.desk.subscribe((e) => this.observe(e));
  }

  get day(): ReplayDay {
    return this.o.day;
  }

  get total(): number {
    return this.o.day.steps.length;
  }

  /** The virtual time now. */
  get time(): number {
    return this.clock.now();
  }

  get totalPnl(): string | null {
    return this.curve.last();
  }

  /** Starts the replayed desk at the warm-up instant, puts its account in Trade, starts the strategies. */
  async open(): Promise<void> {
    if (this.state !== 'new') return;
    await this.desk.start();
    await this.settle();
    const first = this.o.day.steps[0]!.t;
    // the start reconciliation and the first monitoring checks run in the warm-up, second by second
    while (this.clock.now() < first - 1_000 && this.desk.reconciler.state(REPLAY_ACCOUNT.id).status !== 'clean') {
      await this.advance(this.clock.now() + 1_000);
    }
    const strategies = this.o.strategies ?? [];
    if (strategies.length > 0) {
      await this.command('trading.set_mode', { account: REPLAY_ACCOUNT.id, mode: 'trade' });
      for (const d of strategies) {
        const definition = { ...d, account: REPLAY_ACCOUNT.id as string };
        await this.command('strategy.save', { definition });
        await this.command('strategy.start', { strategy_id: definition.id, now: false });
        this.strategyIds.push(definition.id);
        await this.settle();
      }
    }
    this.state = 'ready';
  }

  private async command(name: string, payload: unknown): Promise<unknown> {
    const r = await this.desk.handle(name as never, payload as never);
    if (!r.ok) throw new Error(`replay: ${name} failed: ${r.error.message}`);
    return r.result;
  }

  /** Lets the desk's pending work run: promise continuations, then the matcher's order updates, until nothing is left. */
  private async settle(): Promise<void> {
    for (let i = 0; i < MAX_SETTLE_ROUNDS; i++) {
      await turn();
      if (this.venue.execution.flushUpdates() === 0) return;
    }
  }

  /** Moves virtual time to `t`, one due timer at a time, each timer's work run before the next. */
  private async advance(t: number): Promise<void> {
    while (this.clock.fireNext(t)) {
      await hops();
      if (this.venue.execution.flushUpdates() > 0) await hops();
    }
    this.clock.moveTo(t);
  }

  /** Applies the next step (the clock moves to it first); false when the day is over. */
  async stepOnce(): Promise<boolean> {
    if (this.index >= this.total) return false;
    const step = this.o.day.steps[this.index]!;
    // the timers before the step's instant, then its quotes, then the timers of that very instant:
    // what was received at an instant is known to what runs at it (an entry at 09:35 sees 09:35's quotes)
    await this.advance(step.t - 1);
    this.clock.moveTo(step.t);
    this.venue.applyStep(step);
    this.index++;
    await this.settle();
    await this.advance(step.t);
    this.o.onStep?.(this.index - 1, this);
    if (this.index >= this.total) await this.finish();
    return true;
  }

  /** Plays from here (at `speed`) until the end, a pause, or the step at `until` (exclusive index). */
  play(speed?: ReplaySpeed): Promise<void> {
    if (speed) this.speed = speed;
    if (this.state === 'done' || this.state === 'failed' || this.state === 'stopped') return Promise.resolve();
    if (this.loop) return this.loop;
    this.state = 'playing';
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  private async run(): Promise<void> {
    try {
      if (this.state !== 'playing') return;
      let anchorReal = performance.now();
      let anchorVirtual = this.index < this.total ? this.o.day.steps[this.index]!.t : 0;
      let anchorSpeed = this.speed;
      while (this.state === 'playing' && this.index < this.total) {
        if (this.pauseAt !== null && this.index >= this.pauseAt) {
          this.pauseAt = null;
          this.state = 'paused';
          break;
        }
        if (this.speed !== anchorSpeed) {
          anchorReal = performance.now();
          anchorVirtual = this.o.day.steps[this.index]!.t;
          anchorSpeed = this.speed;
        }
        if (this.speed !== 'max') {
          const next = this.o.day.steps[this.index]!.t;
          const due = anchorReal + (next - anchorVirtual) / Number(this.speed);
          let wait = due - performance.now();
          if (wait > MAX_WAIT_MS) {
            // a long gap in the day: wait a bounded time and move the anchor past it
            anchorReal -= wait - MAX_WAIT_MS;
            wait = MAX_WAIT_MS;
          }
          if (wait > 1) {
            await this.sleep(wait);
            continue; // woken early (speed, pause) or on time: look again
          }
        }
        await this.stepOnce();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** Real-time wait between two steps, ended early by `interrupt`. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(handle);
        this.wake = null;
        resolve();
      };
      const handle = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private interrupt(): void {
    this.wake?.();
  }

  /** Changes the speed now (a wait in progress is cut short and re-timed). */
  setSpeed(speed: ReplaySpeed): void {
    this.speed = speed;
    this.interrupt();
  }

  /** Pauses after the step in progress; resolves once that step is done (nothing runs while paused). */
  async pause(): Promise<void> {
    if (this.state === 'playing') this.state = 'paused';
    this.interrupt();
    await this.loop;
  }

  /** One step while paused (or before playing). */
  async step(): Promise<void> {
    await this.pause();
    if (this.state === 'paused' || this.state === 'ready') await this.stepOnce();
  }

  /** Moves forward to `t` as fast as possible, then pauses there (earlier times: the service replays from the start). */
  async seek(t: number): Promise<void> {
    const target = stepIndexAt(this.o.day, t);
    await this.pause();
    if (target <= this.index) return;
    const speed = this.speed;
    this.pauseAt = target;
    this.state = 'playing';
    this.speed = 'max';
    await (this.loop ?? this.play());
    this.speed = speed;
  }

  /** Stops the run where it is (no result). */
  async stop(): Promise<void> {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'stopped';
    this.interrupt();
    await this.loop;
    await this.close();
  }

  private fail(err: unknown): void {
    this.error = err instanceof Error ? err.message : String(err);
    this.state = 'failed';
    (this.o.logger ?? silentLogger).error('replay failed', { day: this.o.day.id, error: this.error });
    void this.close();
  }

  /** After the last step: the last tick goes out, the result is taken, the replayed desk is disposed. */
  private async finish(): Promise<void> {
    // one more second of virtual time: the coalesced tick, the runs' evaluation
    await this.advance(this.clock.now() + 1_000);
    await this.settle();
    this.digest = this.hash.copy().digest('hex');
    this.resultValue = this.buildResult();
    this.state = 'done';
    await this.close();
  }

  private closed = false;
  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offEvents?.();
    this.offEvents = null;
    await this.desk.dispose();
    this.onEnd?.();
  }

  /** The sha256 of the event stream so far (final once done). */
  streamHash(): string {
    return this.digest ?? this.hash.copy().digest('hex');
  }

  result(): ReplayResultWire | null {
    return this.resultValue;
  }

  private observe(e: DeskEvent): void {
    if (this.closed) return;
    this.events++;
    this.hash.update(JSON.stringify(e));
    this.hash.update('\n');
    this.o.onEvent?.(e);
    switch (e.type) {
      case 'tick_update':
        this.curve.add(e.serverTime, e.pnl_snapshot.total);
        this.realized = e.pnl_snapshot.realized;
        this.currency = e.pnl_snapshot.currency;
        this.activeNodes = e.active_nodes;
        break;
      case 'fill_event':
        if (e.fill.source === 'venue' && e.fill.rejected === null) this.trades++;
        this.push(e, 'fill', `${e.fill.side} ${e.fill.quantity} ${e.fill.symbol} @ ${e.fill.price}${e.fill.rejected ? ` (refused: ${e.fill.rejected})` : ''}`);
        break;
      case 'position_event':
        this.push(e, 'position', `${e.action} ${e.position.symbol} (${e.position.status})`);
        break;
      case 'strategy_runtime':
        break;
      case 'node_event':
        // the strategy runtime's steps, and the monitoring cycle's only when something failed (its routine cycles are many)
        if (e.node_type === 'StrategyNode' || e.node_id.startsWith('strategy') || (e.node_type.startsWith('Monitor') && e.status === 'failed')) this.push(e, 'node', `${e.node_name}: ${e.action}${e.message ? ` — ${e.message}` : ''}`);
        break;
      case 'order_event':
        break;
      case 'alert':
        this.push(e, 'alert', `${e.title}: ${e.body}`);
        break;
      default:
        break;
    }
  }

  private push(e: DeskEvent, kind: ReplayFeedItem['kind'], text: string): void {
    this.feed.push({ seq: e.seq, t: e.serverTime, kind, text });
  }

  private buildResult(): ReplayResultWire {
    const day = this.o.day;
    const dd = this.curve.drawdown();
    const payloads = this.desk.strategy.payloads();
    return {
      day_id: day.id,
      day_label: day.label,
      synthetic: day.synthetic,
      date: day.date,
      steps: day.steps.length,
      strategy_ids: [...this.strategyIds],
      first_at: day.steps[0]!.t,
      last_at: day.steps[day.steps.length - 1]!.t,
      currency: this.currency,
      realized_pnl: this.realized,
      total_pnl: this.curve.last(),
      max_drawdown: dd.max_drawdown,
      max_drawdown_at: dd.max_drawdown_at,
      peak_pnl: dd.peak,
      peak_at: dd.peak_at,
      trades: this.trades,
      strategies: payloads
        .map((p) => ({
          strategy_id: p.strategy_id,
          name: p.strategy.config.name,
          run_id: p.run_id,
          status: p.status,
          status_reason: p.status_reason,
          pnl: p.strategy.total_pnl,
          exit_reason: p.strategy.exit_reason,
          entry_attempts: p.entry.attempts,
        }))
        .sort((a, b) => (a.strategy_id < b.strategy_id ? -1 : a.strategy_id > b.strategy_id ? 1 : 0)),
      events: this.events,
      hash: this.streamHash(),
    };
  }
}
