// Issue 15 item 1: the desk holds N accounts (the default one + the accounts file), persists them in
// the ledger, lists them (`accounts.list`) with each one's session and kill switch, and its health
// rows say whose they are.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { accountId } from '../../src/core/model/ids';
import type { Account } from '../../src/core/model/account';
import type { AccountWire } from '../../src/shared/contract';
import { openStore, tempLedgerDir } from './ledger/helpers';
import { waitFor } from '../helpers/desk-wait';

let desk: Desk | null = null;
let tmp: ReturnType<typeof tempLedgerDir> | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  tmp?.cleanup();
  tmp = null;
});

const SIM2: Account = { id: accountId('sim2'), label: 'Second simulator', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim2' };
const PAPER: Account = { id: accountId('alpaca-paper'), label: 'Alpaca paper', venue: 'alpaca', mode: 'PAPER', credentialsRef: { venue: 'alpaca' } };

async function list(d: Desk): Promise<AccountWire[]> {
  const r = await d.handle('accounts.list', {});
  if (!r.ok) throw new Error(r.error.message);
  return (r.result as { accounts: AccountWire[] }).accounts;
}

describe('accounts', () => {
  it('with nothing configured the desk holds exactly the default account of its venue', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null });
    expect(await list(desk)).toEqual([
      { id: 'default', label: 'Simulated', venue: 'sim', venue_name: 'sim', mode: 'SIM', credentials: null, is_default: true, running: false, session: null, kill_switch: 'active' },
    ]);
  });

  it('lists configured accounts after the default one, each with its own kill switch level', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, accounts: [SIM2, PAPER] });
    expect((await list(desk)).map((a) => [a.id, a.venue, a.venue_name, a.mode, a.credentials])).toEqual([
      ['default', 'sim', 'sim', 'SIM', null],
      ['sim2', 'sim', 'sim2', 'SIM', null],
      ['alpaca-paper', 'alpaca', 'alpaca', 'PAPER', 'alpaca'],
    ]);
    await desk.handle('killswitch.set', { account: 'sim2', level: 'halted', reason: 'test' });
    expect((await list(desk)).map((a) => a.kill_switch)).toEqual(['active', 'halted', 'active']);
    await desk.handle('killswitch.set', { account: '*', level: 'reducing', reason: 'test' });
    expect((await list(desk)).map((a) => a.kill_switch)).toEqual(['reducing', 'halted', 'reducing']);
  });

  it('persists the held accounts in the ledger (a SIM account too) and follows a venue change of the default one', async () => {
    tmp = tempLedgerDir('desk-accounts-');
    const { store } = openStore(tmp.file());
    try {
      desk = createDesk({ clock: new SystemClock(), portfolioPath: null, accounts: [SIM2, PAPER], accountLedger: store.accounts });
      expect(store.listAccounts().map((a) => [a.accountId, a.venue, a.mode, a.label])).toEqual([
        ['alpaca-paper', 'alpaca', 'paper', 'Alpaca paper'],
        ['default', 'sim', 'sim', 'Simulated'],
        ['sim2', 'sim', 'sim', 'Second simulator'],
      ]);
      // The ledger's kill switch column follows the switch (review of issue 15: it stayed 'active').
      expect(store.getAccount('sim2')).toMatchObject({ killSwitch: 'active' });
      await desk.handle('killswitch.set', { account: 'sim2', level: 'halted', reason: 'test' });
      await desk.handle('killswitch.set', { account: '*', level: 'reducing', reason: 'test' });
      expect(store.listAccounts().map((a) => [a.accountId, a.killSwitch])).toEqual([['alpaca-paper', 'reducing'], ['default', 'reducing'], ['sim2', 'halted']]);
      await desk.applyConfig({ venue: 'alpaca', alpaca: { env: 'paper', keyId: 'k', secretKey: 's', stockFeed: 'iex', optionFeed: 'indicative', tradeUpdatesAuth: 'legacy' } });
      expect(store.getAccount('default')).toMatchObject({ venue: 'alpaca', mode: 'paper' });
    } finally {
      await desk?.dispose();
      desk = null;
      store.close();
    }
  });

  // Changed with Phase 2 (issue 15 item 1): every held account runs while streaming — before, only
  // the default account's venue ran and sim2 was listed `running: false`.
  it('while streaming: every held account runs with its own execution session, and each venue health row names its account', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 20 }, accounts: [SIM2] });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 5000, 'running');
    const [main, other] = await list(d);
    expect(main).toMatchObject({ id: 'default', running: true, session: 'active' });
    expect(other).toMatchObject({ id: 'sim2', running: true, session: 'active' });
    const streams = d.snapshot().streams;
    expect(streams.map((s) => [s.name, s.accountId])).toEqual([
      ['stocks', 'default'],
      ['options', 'default'],
      ['trade_updates', 'default'],
      ['rest', 'default'],
      ['stocks', 'sim2'],
      ['options', 'sim2'],
      ['trade_updates', 'sim2'],
      ['rest', 'sim2'],
    ]);
    await d.stop();
    expect((await list(d)).map((a) => [a.id, a.running, a.session])).toEqual([
      ['default', false, null],
      ['sim2', false, null],
    ]);
    expect(d.snapshot().streams.every((s) => s.state === 'not_started')).toBe(true);
  });

  it('an account that fails to start is its own error rows; the default account and the others stream on', async () => {
    // No Alpaca keys anywhere: the alpaca-paper account cannot start (the registry names the variables).
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 20 }, accounts: [PAPER, SIM2], env: {} });
    const d = desk;
    await d.start();
    expect(d.isStreaming).toBe(true);
    await waitFor(() => d.snapshot().streams.filter((s) => s.accountId !== 'alpaca-paper').every((s) => s.state === 'running'), 5000, 'running');
    const paperRows = d.snapshot().streams.filter((s) => s.accountId === 'alpaca-paper');
    expect(paperRows.map((s) => s.name)).toEqual(['stocks', 'options', 'trade_updates']);
    for (const row of paperRows) expect(row).toMatchObject({ state: 'error', lastError: expect.stringMatching(/APCA_API_KEY_ID/) });
    expect((await list(d)).map((a) => [a.id, a.running])).toEqual([
      ['default', true],
      ['alpaca-paper', false],
      ['sim2', true],
    ]);
    await d.stop();
  });

  it('a PAPER account whose endpoints are live does not start (its own error rows, naming account, mode and endpoint); the others stream on', async () => {
    // Review of issue 16, defect 10: the Alpaca settings say live; the accounts file declares alpaca-paper PAPER.
    desk = createDesk({
      clock: new SystemClock(),
      portfolioPath: null,
      config: { simIntervalMs: 20, alpaca: { keyId: 'K', secretKey: 'S', env: 'live', stockFeed: 'iex', optionFeed: 'indicative', tradeUpdatesAuth: 'legacy' } },
      accounts: [PAPER, SIM2],
      env: { APCA_API_KEY_ID: 'K', APCA_API_SECRET_KEY: 'S' },
    });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.filter((s) => s.accountId !== 'alpaca-paper').every((s) => s.state === 'running'), 5000, 'running');
    const paperRows = d.snapshot().streams.filter((s) => s.accountId === 'alpaca-paper');
    expect(paperRows.length).toBeGreaterThan(0);
    for (const row of paperRows) expect(row).toMatchObject({ state: 'error', lastError: expect.stringMatching(/account alpaca-paper is declared PAPER.*https:\/\/api\.alpaca\.markets/) });
    expect((await list(d)).map((a) => [a.id, a.running])).toEqual([
      ['default', true],
      ['alpaca-paper', false],
      ['sim2', true],
    ]);
    await d.stop();
  });
});
