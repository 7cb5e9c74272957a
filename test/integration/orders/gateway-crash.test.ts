// Issue 16, Done-when (second bullet): "a process SIGKILLed between commit and send, or between send
// and reply, restarts and resolves the order by query, never by re-sending (integration test with a
// real child process)".
//
// The simulated venue runs here, in the test process (it outlives the children). Each child is a
// real `node` process running the order gateway with the SQLite journal of one ledger file and the
// real Alpaca execution port over loopback (fixtures/gateway-child.ts):
//   (a) child 1 commits order A and is SIGKILLed before A is sent (the kill lands when the gateway
//       calls the execution port, after the commit returned);
//   (b) child 2 commits and sends order B; the venue stores B and holds its reply (order_fault
//       delay_reply); child 2 is SIGKILLed once the venue holds B, before any reply;
//   child 3 restarts on the same ledger: recover() asks the venue for each order by client order id.
//   B is found → adopted, never re-sent. A is not at the venue → the venue has confirmed it never
//   got it, so the gateway sends it once, with the same client order id (docs/orders.md).
// Result: the venue holds exactly one order per intended order. A second test does the same for a
// replace and a cancel killed between send and reply (each resolved by one query, nothing re-sent).
// Loopback only; ~3 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/ports/clock';
import type { JournalOrder } from '../../../src/core/ports/order-journal';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { SystemClock } from '../../../src/node/system-clock';
import { SimVenueServer } from '../../../src/node/venues/sim/server';
import { compileForNode } from '../ledger/crash-loop';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

interface Child {
  lines: string[];
  stderr: string;
  /** Resolves with the first line starting with `prefix`. */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  kill(): void;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startChild(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const l = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(l);
      for (const w of waiters.filter((x) => l.startsWith(x.prefix))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr += c));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000); // never outlives the test
  const exited = new Promise<NodeJS.Signals | number | null>((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      res(signal ?? code);
    }),
  );
  const c: Child = {
    lines,
    get stderr() {
      return stderr;
    },
    line(prefix, timeoutMs = 10_000) {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`child: no "${prefix}" line within ${timeoutMs} ms; stdout ${JSON.stringify(lines)}; stderr ${stderr.slice(0, 2000)}`)), timeoutMs);
        waiters.push({ prefix, resolve: (l) => (clearTimeout(t), res(l)) });
      });
    },
    kill: () => child.kill('SIGKILL'),
    exited,
  };
  return c;
}

/** The journal as the file holds it now (opened and closed again between children). */
function journalOf(path: string): (JournalOrder & { eventKinds: string[] })[] {
  const store = SqliteLedgerStore.open({ path, clock: new ManualClock(Date.now()) });
  try {
    return store.orderJournal.list().map((o) => ({ ...o, eventKinds: store.orderJournal.events(o.clientOrderId).map((e) => e.kind) }));
  } finally {
    store.close();
  }
}

let dir: string;
let sim: SimVenueServer;
let script: string;
let urls: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-crash-'));
  script = compileForNode(join(here, 'fixtures', 'gateway-child.ts'), join(dir, 'compiled'));
  sim = new SimVenueServer({ seed: 16, clock: new SystemClock(), intervalMs: 50, restRequestsPerMinute: 1_000_000 });
  urls = JSON.stringify(await sim.start());
});

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('order gateway over the SQLite journal, SIGKILLed mid-command (real child processes)', () => {
  it('killed between commit and send, and between send and reply: the restart resolves each order by query; the venue holds exactly one order per intended order', async () => {
    const ledger = join(dir, 'ledger.sqlite');
    const held = (id: string) => sim.broker.list('all').filter((o) => o.client_order_id === id);

    // (a) between commit and send
    const a = startChild(script, [ledger, urls, 'hold-before-send', 'crash-A']);
    await a.line('COMMITTED crash-A');
    a.kill();
    expect(await a.exited).toBe('SIGKILL');
    expect(held('crash-A')).toEqual([]); // never sent
    expect(journalOf(ledger)).toMatchObject([{ clientOrderId: 'crash-A', status: 'pending_submit', pending: { kind: 'place', state: 'sending', attempts: 1 }, eventKinds: ['created'] }]);

    // (b) between send and reply: the venue carries the place out and holds its reply
    sim.fault({ kind: 'order_fault', fault: 'delay_reply', delayMs: 30_000, count: 1, commands: ['place'], carriedOut: true });
    const b = startChild(script, [ledger, urls, 'send', 'crash-B']);
    await b.line('SENDING crash-B');
    const t0 = Date.now();
    while (held('crash-B').length === 0) {
      if (Date.now() - t0 > 5_000) throw new Error(`the venue never got crash-B; child stdout ${JSON.stringify(b.lines)} stderr ${b.stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    b.kill();
    expect(await b.exited).toBe('SIGKILL');
    expect(b.lines).not.toContain('ANSWERED');
    expect(held('crash-B')).toHaveLength(1);
    expect(journalOf(ledger).find((o) => o.clientOrderId === 'crash-B')).toMatchObject({ status: 'pending_submit', venueOrderId: null, pending: { kind: 'place', state: 'sending' } });

    // restart on the same ledger
    sim.fault({ kind: 'resume' });
    const c = startChild(script, [ledger, urls, 'recover', 'unused']);
    const recovered = JSON.parse((await c.line('RECOVERED ')).slice('RECOVERED '.length)) as { result: { resolved: number; unknown: number } };
    expect(await c.exited).toBe(0);
    expect(recovered.result).toEqual({ resolved: 2, unknown: 0 });
    // B: asked once, found, adopted — never re-sent. A: asked, unknown to the venue → sent once.
    expect(c.lines.filter((l) => l.startsWith('CALL '))).toEqual(['CALL query crash-A', 'CALL place crash-A', 'CALL query crash-B']);

    const [heldA, heldB] = [held('crash-A'), held('crash-B')];
    expect(heldA).toHaveLength(1);
    expect(heldB).toHaveLength(1);
    expect(sim.broker.list('all')).toHaveLength(2); // nothing else at the venue: one order per intended order

    const journal = journalOf(ledger);
    const A = journal.find((o) => o.clientOrderId === 'crash-A')!;
    const B = journal.find((o) => o.clientOrderId === 'crash-B')!;
    expect(A).toMatchObject({ status: 'accepted', pending: null, venueOrderId: heldA[0]!.id });
    expect(A.eventKinds).toEqual(['created', 'unknown', 'resent', 'answered']);
    expect(B).toMatchObject({ status: 'accepted', pending: null, venueOrderId: heldB[0]!.id });
    expect(B.eventKinds).toEqual(['created', 'unknown', 'resolved']);
  }, 30_000);

  it('a replace and a cancel killed between send and reply are resolved by query after the restart, never sent again', async () => {
    const ledger = join(dir, 'ledger-2.sqlite');
    const venueOrder = (id: string) => sim.broker.list('all').filter((o) => o.client_order_id === id);
    const until = async (what: string, pred: () => boolean) => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > 5_000) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const p = startChild(script, [ledger, urls, 'place', 'crash-C']);
    expect(await p.line('ANSWERED')).toBe('ANSWERED accepted');
    expect(await p.exited).toBe(0);

    // replace: the venue carries it out (successor crash-C.r1) and holds the reply
    sim.fault({ kind: 'order_fault', fault: 'delay_reply', delayMs: 30_000, count: 1, commands: ['replace'], carriedOut: true });
    const r = startChild(script, [ledger, urls, 'replace', 'crash-C']);
    await r.line('SENDING crash-C.r1');
    await until('the venue to hold the successor crash-C.r1', () => venueOrder('crash-C.r1').length === 1);
    r.kill();
    expect(await r.exited).toBe('SIGKILL');
    expect(journalOf(ledger)).toMatchObject([{ clientOrderId: 'crash-C', venueClientOrderId: 'crash-C', replaceCount: 1, pending: { kind: 'replace', venueClientOrderId: 'crash-C.r1', state: 'sending' } }]);
    sim.fault({ kind: 'resume' });
    const r2 = startChild(script, [ledger, urls, 'recover', 'unused']);
    await r2.line('RECOVERED ');
    expect(await r2.exited).toBe(0);
    expect(r2.lines.filter((l) => l.startsWith('CALL '))).toEqual(['CALL query crash-C.r1']); // asked, not re-sent
    expect(journalOf(ledger)).toMatchObject([
      { clientOrderId: 'crash-C', status: 'accepted', venueClientOrderId: 'crash-C.r1', venueOrderId: venueOrder('crash-C.r1')[0]!.id, limitPrice: '1.01', pending: null, eventKinds: ['created', 'answered', 'sent', 'unknown', 'resolved'] },
    ]);

    // cancel: the venue cancels the successor and holds the reply
    sim.fault({ kind: 'order_fault', fault: 'delay_reply', delayMs: 30_000, count: 1, commands: ['cancel'], carriedOut: true });
    const k = startChild(script, [ledger, urls, 'cancel', 'crash-C']);
    await k.line('SENDING cancel');
    await until('the venue to cancel crash-C.r1', () => venueOrder('crash-C.r1')[0]?.status === 'canceled');
    k.kill();
    expect(await k.exited).toBe('SIGKILL');
    sim.fault({ kind: 'resume' });
    const k2 = startChild(script, [ledger, urls, 'recover', 'unused']);
    await k2.line('RECOVERED ');
    expect(await k2.exited).toBe(0);
    expect(k2.lines.filter((l) => l.startsWith('CALL '))).toEqual(['CALL query crash-C.r1']);
    expect(journalOf(ledger)).toMatchObject([{ clientOrderId: 'crash-C', status: 'cancelled', pending: null }]);
    // At the venue: the original (replaced) and its successor (cancelled): one intended order, never duplicated.
    expect(venueOrder('crash-C').map((o) => o.status)).toEqual(['replaced']);
    expect(venueOrder('crash-C.r1').map((o) => o.status)).toEqual(['canceled']);
  }, 30_000);
});
