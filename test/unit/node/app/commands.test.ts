import { describe, expect, it } from 'vitest';
import { buildCommandMap, runCommand, type AppPorts, type CommandHandlers, type HandlersFor } from '../../../../src/node/app/commands';
import { commandSchemas, type CommandName, type DeskSettings, type DeskSnapshot, type SettingsResult } from '../../../../src/shared/contract';
import { silentLogger } from '../../../../src/core/ports/logger';
import { CommandFailure } from '../../../../src/node/live-portfolio';
import { KillSwitch } from '../../../../src/core/risk/kill-switch';
import { MemoryKillSwitchStore } from '../../../../src/core/ports/kill-switch-store';
import { ManualClock } from '../../../../src/core/ports/clock';
import { ReconcilerError } from '../../../../src/node/app/trading/reconciler';
import { TradingRefusal } from '../../../../src/node/app/trading/trading-service';

/** Ports that record what the handlers asked for (no desk, no venue). */
function stubPorts(over: Partial<AppPorts> = {}): { ports: AppPorts; calls: string[] } {
  const calls: string[] = [];
  let streaming = false;
  const settings = { venue: 'sim' } as unknown as DeskSettings;
  const result: SettingsResult = { settings, applied: [], restarting: false, persisted: true };
  const ports: AppPorts = {
    snapshot: { snapshot: () => ({ venue: 'sim' }) as unknown as DeskSnapshot },
    streaming: {
      isStreaming: () => streaming,
      start: () => {
        calls.push('start');
        streaming = true;
        return Promise.resolve();
      },
      stop: () => {
        calls.push('stop');
        streaming = false;
        return Promise.resolve();
      },
    },
    portfolio: {
      loadPortfolioCommand: (path) => {
        calls.push(`load ${path}`);
        return Promise.reject(new Error('not in this test'));
      },
      reloadPortfolio: () => Promise.reject(new Error('not in this test')),
    },
    settings: {
      isStreaming: () => streaming,
      getSettings: () => result,
      setSettings: (_patch, s) => {
        calls.push(`setSettings streaming=${s}`);
        return Promise.resolve(result);
      },
      applyVenueSettings: (s) => {
        calls.push(`apply ${s.venue}`);
        return Promise.resolve();
      },
    },
    killSwitch: new KillSwitch({ store: new MemoryKillSwitchStore(), clock: new ManualClock(0), logger: silentLogger }),
    credentials: { vault: null, alpacaInPlay: () => false, activeAlpacaCredentials: () => null },
    session: {
      logger: silentLogger,
      venue: () => 'sim',
      accountVenue: (a) => (a === 'sim2' ? 'sim' : null),
      hasRunningVenue: () => streaming,
      noteReauthenticateRequested: (a) => calls.push(a === 'default' ? 'note reauth' : `note reauth ${a}`),
      reauthenticate: (a) => {
        calls.push(a === 'default' ? 'reauth' : `reauth ${a}`);
        return Promise.resolve();
      },
    },
    accounts: { list: () => [] },
    reconcile: {
      heldAccounts: () => ['default'],
      run: (account, trigger) => {
        calls.push(`reconcile ${account} ${trigger}`);
        return Promise.resolve({ account, at: 0, status: 'clean', error: null, trigger, lines: [], pnl: [] });
      },
      resolve: (account, line, action) => {
        calls.push(`resolve ${account} ${line} ${action}`);
        return Promise.reject(new ReconcilerError('account default is in Monitor mode (read-only): close sends orders'));
      },
    },
    orders: {
      states: () => [],
      setMode: () => {
        throw new TradingRefusal('account x is LIVE (real money): to switch it to Trade, type exactly "LIVE x"');
      },
      place: () => Promise.reject(new TradingRefusal('account default is not running: press Start')),
      replace: () => Promise.reject(new Error('not in this test')),
      cancel: () => Promise.reject(new Error('not in this test')),
      resolve: () => Promise.reject(new Error('not in this test')),
      list: () => [],
      history: () => {
        throw new Error('not in this test');
      },
      exit: () => Promise.reject(new Error('not in this test')),
      exitCancel: () => Promise.reject(new Error('not in this test')),
    },
    strategy: {
      definitions: () => [],
      runs: () => [],
      save: (d) => d,
      remove: () => false,
      importJson: () => ({ saved: [], errors: [] }),
      exportJson: () => '[]',
      start: () => Promise.reject(new Error('not in this test')),
      pause: () => {
        throw new Error('not in this test');
      },
      halt: () => Promise.reject(new Error('not in this test')),
      exit: () => Promise.reject(new Error('not in this test')),
      audit: () => [],
    },
    replay: {
      sources: () => [],
      import: () => ({ ok: false, day: null, errors: ['not in this test'] }),
      start: () => Promise.reject(new Error('not in this test')),
      control: () => Promise.reject(new Error('not in this test')),
      status: () => {
        throw new Error('not in this test');
      },
      save: () => {
        throw new Error('not in this test');
      },
      results: () => [],
    },
    monitor: {
      heldAccounts: () => ['default'],
      accounts: () => [],
      cycles: () => [],
      runNow: (account) => {
        calls.push(`monitor run ${account}`);
        return Promise.reject(new Error('not in this test'));
      },
      pause: () => {
        throw new Error('not in this test');
      },
      reauthenticate: () => Promise.reject(new Error('not in this test')),
      configure: () => {
        throw new Error('not in this test');
      },
    },
    ...over,
  };
  return { ports, calls };
}

describe('the command map (src/node/app)', () => {
  it('has exactly one handler for every command of the contract', () => {
    const map = buildCommandMap(stubPorts().ports);
    expect(Object.keys(map).sort()).toEqual(Object.keys(commandSchemas).sort());
    for (const name of Object.keys(commandSchemas) as CommandName[]) expect(typeof map[name]).toBe('function');
  });

  it('a map missing a handler does not compile', () => {
    const { 'snapshot.get': _dropped, ...rest } = buildCommandMap(stubPorts().ports);
    // @ts-expect-error 'snapshot.get' is missing: CommandHandlers requires every CommandName.
    const incomplete: CommandHandlers = rest;
    // @ts-expect-error a domain module cannot leave out one of the commands it declares.
    const partial: HandlersFor<'stream.start' | 'stream.stop'> = { 'stream.start': () => ({ streaming: true }) };
    expect(Object.keys(incomplete)).not.toContain('snapshot.get');
    expect(Object.keys(partial)).toEqual(['stream.start']);
  });

  it('orders / trading: a refusal of the trading service fails the command, named, with its message', async () => {
    const map = buildCommandMap(stubPorts().ports);
    expect(await runCommand(map, 'trading.get', {})).toEqual({ accounts: [] });
    await expect(Promise.resolve().then(() => runCommand(map, 'trading.set_mode', { account: 'x', mode: 'trade' }))).rejects.toMatchObject({
      name: 'CommandFailure',
      error: { code: 'failed', message: 'trading.set_mode: account x is LIVE (real money): to switch it to Trade, type exactly "LIVE x"' },
    });
    await expect(Promise.resolve().then(() => runCommand(map, 'orders.place', { account: 'default', symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'market' }))).rejects.toBeInstanceOf(CommandFailure);
  });

  it('streaming: restart stops a running stream, then starts it', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    expect(await runCommand(map, 'stream.start', {})).toEqual({ streaming: true });
    expect(await runCommand(map, 'stream.restart', {})).toEqual({ streaming: true });
    expect(calls).toEqual(['start', 'stop', 'start']);
  });

  it('settings.set: persists through the settings port, then applies the venue settings', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    const r = await runCommand(map, 'settings.set', { stale_after_sec: 7 });
    expect(r.persisted).toBe(true);
    expect(calls).toEqual(['setSettings streaming=false', 'apply sim']);
  });

  it('killswitch.set goes to the kill switch port and reports the change', async () => {
    const map = buildCommandMap(stubPorts().ports);
    const r = await runCommand(map, 'killswitch.set', { account: '*', level: 'halted', reason: 'test halt' });
    expect(r.changed).toBe(true);
    expect((await runCommand(map, 'killswitch.get', {})).global.level).toBe('halted');
  });

  it('session.reauthenticate: refuses another venue; a no-op when not streaming; otherwise re-authenticates', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    expect(() => runCommand(map, 'session.reauthenticate', { venue: 'alpaca' })).toThrow(CommandFailure);
    expect(await runCommand(map, 'session.reauthenticate', {})).toEqual({ reauthenticating: false, venue: 'sim' });
    await runCommand(map, 'stream.start', {});
    expect(await runCommand(map, 'session.reauthenticate', { venue: 'sim' })).toEqual({ reauthenticating: true, venue: 'sim' });
    expect(calls).toEqual(['start', 'note reauth', 'reauth']);
  });

  it('session.reauthenticate takes an account id (default: the default account); an account the desk does not hold is refused', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    await runCommand(map, 'stream.start', {});
    expect(await runCommand(map, 'session.reauthenticate', { account: 'sim2' })).toEqual({ reauthenticating: true, venue: 'sim' });
    expect(() => runCommand(map, 'session.reauthenticate', { account: 'nobody' })).toThrow(/holds no such account/);
    expect(() => runCommand(map, 'session.reauthenticate', { account: 'sim2', venue: 'alpaca' })).toThrow(/account sim2 is on sim/);
    expect(calls).toEqual(['start', 'note reauth sim2', 'reauth sim2']);
  });

  it('credentials: without a store, save names the missing store', () => {
    const map = buildCommandMap(stubPorts().ports);
    expect(() => runCommand(map, 'credentials.save', { venue: 'alpaca', fields: { keyId: 'k', secretKey: 's' } })).toThrow(/no credential store/);
  });

  it('reconcile.run / reconcile.resolve go to the reconciler (held accounts only); a refusal is a command failure saying why', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    expect((await runCommand(map, 'reconcile.run', { account: 'default' })).reconciliation.status).toBe('clean');
    await expect(runCommand(map, 'reconcile.run', { account: 'nobody' })).rejects.toThrow(/holds no account "nobody"/);
    const failed = runCommand(map, 'reconcile.resolve', { account: 'default', line_id: 'position:SPY', action: 'close' });
    await expect(failed).rejects.toBeInstanceOf(CommandFailure);
    await expect(failed).rejects.toThrow(/position:SPY close: account default is in Monitor mode/);
    expect(calls).toEqual(['reconcile default manual', 'resolve default position:SPY close']);
  });

  it('monitor.*: held accounts only; a failure of the service is a command failure naming the command and account', async () => {
    const { ports, calls } = stubPorts();
    const map = buildCommandMap(ports);
    expect(runCommand(map, 'monitor.get', {})).toEqual({ accounts: [] });
    await expect(runCommand(map, 'monitor.run_now', { account: 'nobody' })).rejects.toThrow(/monitor.run_now: the desk holds no account "nobody"/);
    const failed = runCommand(map, 'monitor.run_now', { account: 'default' });
    await expect(failed).rejects.toBeInstanceOf(CommandFailure);
    await expect(failed).rejects.toThrow(/monitor.run_now default: not in this test/);
    expect(calls).toEqual(['monitor run default']);
  });
});
