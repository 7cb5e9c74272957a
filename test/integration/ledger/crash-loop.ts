/**
 * The crash loop, shared by the test (≥ 50 iterations) and the bench (a longer run).
 *
 * Each iteration spawns fixtures/crash-writer against one ledger file, lets it write, SIGKILLs it at
 * a random moment (now and then before it is even ready: mid-open, mid-migration or mid-recovery),
 * then checks the file: `PRAGMA integrity_check` is ok, every fill the child reported committed is
 * present, no burst of fills is half-written, and every order agrees with its own history.
 *
 * The child runs as plain JavaScript: its TypeScript sources are transpiled once (CommonJS, by the
 * project's own `typescript`) so each spawn costs a bare `node` start instead of a tsx loader.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { SeededRandom } from '../../../src/core/model/random';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const writerEntry = join(here, 'fixtures', 'crash-writer.ts');

/**
 * Transpiles `entry` and every file it imports by relative path into `outDir` (mirroring the repo
 * layout) as CommonJS. Returns the path of the compiled entry. Bare imports (zod, better-sqlite3)
 * resolve through NODE_PATH at run time.
 */
export function compileForNode(entry: string, outDir: string): string {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const ref of ts.preProcessFile(source, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), ref.fileName);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
      if (!target) throw new Error(`${relative(repoRoot, file)}: cannot resolve ${ref.fileName}`);
      todo.push(target);
    }
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const dest = join(outDir, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  return join(outDir, relative(repoRoot, entry)).replace(/\.ts$/, '.js');
}

/** Children started ahead of their turn (their module loading overlaps the running iteration). */
const WARM_CHILDREN = 2;

export interface CrashLoopOptions {
  /** A fresh directory for the ledger and the compiled child. */
  dir: string;
  iterations: number;
  seed: number;
  /** Upper bound of the random delay between the child's READY and the kill. */
  maxKillDelayMs?: number;
  /** Share of iterations killed at a random moment from spawn, possibly before READY. */
  earlyKillShare?: number;
}

export interface CrashLoopResult {
  iterations: number;
  killedBeforeReady: number;
  ordersReported: number;
  fillsReported: number;
  fillsStored: number;
  strategyEventsStored: number;
  /** Every broken promise found, with the iteration; empty when the ledger held. */
  problems: string[];
  durationMs: number;
}

interface ChildRun {
  /** The child said READY (it had opened the ledger) before it was killed. */
  ready: boolean;
  orders: string[];
  fills: string[];
  stderr: string;
  exitedBy: NodeJS.Signals | number | null;
}

export async function runCrashLoop(opts: CrashLoopOptions): Promise<CrashLoopResult> {
  const started = performance.now();
  const script = compileForNode(writerEntry, join(opts.dir, 'compiled'));
  const ledger = join(opts.dir, 'crash.sqlite');
  const rng = new SeededRandom(opts.seed);
  const maxDelay = opts.maxKillDelayMs ?? 150;
  const earlyShare = opts.earlyKillShare ?? 0.1;
  const reportedOrders = new Set<string>();
  const reportedFills = new Set<string>();
  const problems: string[] = [];
  let killedBeforeReady = 0;
  let lastCounts = { fills: 0, events: 0 };

  // Children load their modules (most of their start-up) ahead, in a small warm pool; each waits for
  // its own GO, so only one ever touches the ledger.
  const warm: Child[] = [];
  let spawned = 0;
  const topUp = () => {
    while (warm.length < WARM_CHILDREN && spawned < opts.iterations) {
      warm.push(startChild(script, ledger, spawned, opts.seed * 1000 + spawned));
      spawned++;
    }
  };
  try {
    for (let i = 0; i < opts.iterations && problems.length === 0; i++) {
      topUp();
      const current = warm.shift()!;
      const early = rng.next() < earlyShare;
      const delay = Math.floor(rng.next() * (early ? 60 : maxDelay));
      // Early kills land from GO on: mid-open, mid-migration or mid-recovery of the previous crash.
      current.go(early ? { fromGoMs: delay } : { afterReadyMs: delay });
      topUp();
      const run = await current.done;
      if (!run.ready) killedBeforeReady++;
      if (run.exitedBy !== 'SIGKILL') problems.push(`iteration ${i}: child ended by ${String(run.exitedBy)} before the kill: ${run.stderr.trim().slice(0, 500)}`);
      run.orders.forEach((o) => reportedOrders.add(o));
      run.fills.forEach((f) => reportedFills.add(f));
      const check = verifyLedger(ledger, reportedOrders, reportedFills);
      problems.push(...check.problems.map((p) => `iteration ${i} (seed ${opts.seed}): ${p}`));
      lastCounts = check.counts;
    }
  } finally {
    for (const child of warm) child.abort();
    await Promise.all(warm.map((c) => c.done));
  }
  return {
    iterations: opts.iterations,
    killedBeforeReady,
    ordersReported: reportedOrders.size,
    fillsReported: reportedFills.size,
    fillsStored: lastCounts.fills,
    strategyEventsStored: lastCounts.events,
    problems,
    durationMs: performance.now() - started,
  };
}

interface Child {
  /** Lets the child open the ledger and start writing; schedules its SIGKILL. */
  go(kill: { fromGoMs: number } | { afterReadyMs: number }): void;
  /** Kills a child that was never started. */
  abort(): void;
  done: Promise<ChildRun>;
}

function startChild(script: string, ledger: string, childId: number, seed: number): Child {
  const child: ChildProcess = spawn(process.execPath, [script, ledger, String(childId), String(seed)], {
    env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run: ChildRun = { ready: false, orders: [], fills: [], stderr: '', exitedBy: null };
  let afterReadyMs: number | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  const kill = () => child.kill('SIGKILL');
  const done = new Promise<ChildRun>((resolveDone, reject) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'READY') {
          run.ready = true;
          if (afterReadyMs !== null) killTimer = setTimeout(kill, afterReadyMs);
        } else if (line.startsWith('O ')) run.orders.push(line.slice(2));
        else if (line.startsWith('F ')) run.fills.push(...line.slice(2).split(' '));
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (run.stderr += chunk));
    child.stdin!.on('error', () => {}); // a child killed before reading GO closes its stdin
    child.on('error', reject);
    // 'close' fires after stdout is drained: every line the child wrote before dying is read.
    child.on('close', (code, signal) => {
      if (watchdog) clearTimeout(watchdog);
      if (killTimer) clearTimeout(killTimer);
      run.exitedBy = signal ?? code;
      resolveDone(run);
    });
  });
  return {
    go(plan) {
      // A child that never gets ready (or hangs) is killed anyway and reported by the caller.
      watchdog = setTimeout(kill, 15_000);
      if ('fromGoMs' in plan) killTimer = setTimeout(kill, plan.fromGoMs);
      else afterReadyMs = plan.afterReadyMs;
      child.stdin!.write('GO\n');
    },
    abort: kill,
    done,
  };
}

export function verifyLedger(path: string, orders: ReadonlySet<string>, fills: ReadonlySet<string>): { problems: string[]; counts: { fills: number; events: number } } {
  const problems: string[] = [];
  if (!existsSync(path)) {
    return { problems: orders.size || fills.size ? ['ledger file missing'] : [], counts: { fills: 0, events: 0 } };
  }
  const db = new Database(path); // read-write, so a hot WAL is recovered exactly as the next desk would
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const fkProblems = db.pragma('foreign_key_check') as unknown[];
    if (fkProblems.length) problems.push(`foreign_key_check: ${JSON.stringify(fkProblems.slice(0, 3))}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) {
      // Killed before the first migration committed: nothing may have been reported.
      if (orders.size || fills.size) problems.push('schema missing although rows were reported');
      return { problems, counts: { fills: 0, events: 0 } };
    }

    const storedFills = db.prepare('SELECT fill_id, client_order_id FROM fills').all() as { fill_id: string; client_order_id: string }[];
    const storedFillIds = new Set(storedFills.map((f) => f.fill_id));
    const lost = [...fills].filter((f) => !storedFillIds.has(f));
    if (lost.length) problems.push(`${lost.length} reported fills missing, e.g. ${lost.slice(0, 3).join(', ')}`);

    // No half-written burst: an order's k fills (ids "...-f{j}of{k}") are all there, and it is filled.
    const perOrder = new Map<string, { n: number; k: number }>();
    for (const f of storedFills) {
      const k = Number(/of(\d+)$/.exec(f.fill_id)?.[1]);
      const e = perOrder.get(f.client_order_id) ?? { n: 0, k };
      e.n++;
      perOrder.set(f.client_order_id, e);
    }
    const statusOf = new Map(
      (db.prepare('SELECT client_order_id, status FROM orders').all() as { client_order_id: string; status: string }[]).map((o) => [o.client_order_id, o.status]),
    );
    for (const [order, { n, k }] of perOrder) {
      if (n !== k) problems.push(`order ${order}: ${n} of its ${k} fills stored (half-written burst)`);
      if (statusOf.get(order) !== 'filled') problems.push(`order ${order}: has fills but status ${String(statusOf.get(order))}`);
    }

    const missingOrders = [...orders].filter((o) => !statusOf.has(o));
    if (missingOrders.length) problems.push(`${missingOrders.length} reported orders missing, e.g. ${missingOrders.slice(0, 3).join(', ')}`);

    // Every order agrees with its own history: created first, current status = last event's.
    const inconsistent = db
      .prepare(
        `SELECT o.client_order_id AS id, o.status,
           (SELECT kind FROM order_events e WHERE e.client_order_id = o.client_order_id ORDER BY event_id LIMIT 1) AS first_kind,
           (SELECT to_status FROM order_events e WHERE e.client_order_id = o.client_order_id ORDER BY event_id DESC LIMIT 1) AS last_status
         FROM orders o`,
      )
      .all()
      .filter((r) => {
        const row = r as { status: string; first_kind: string | null; last_status: string | null };
        return row.first_kind !== 'created' || row.last_status !== row.status;
      });
    if (inconsistent.length) problems.push(`orders disagreeing with their history: ${JSON.stringify(inconsistent.slice(0, 3))}`);

    const badEvents = db.prepare('SELECT count(*) AS n FROM strategy_events WHERE payload IS NOT NULL AND NOT json_valid(payload)').get() as { n: number };
    if (badEvents.n) problems.push(`${badEvents.n} strategy events with invalid JSON`);
    const events = (db.prepare('SELECT count(*) AS n FROM strategy_events').get() as { n: number }).n;
    return { problems, counts: { fills: storedFills.length, events } };
  } finally {
    db.close();
  }
}
