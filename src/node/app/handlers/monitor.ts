/**
 * The monitoring cycle's commands (issue 17): state, recorded cycles, run now, pause/resume,
 * re-authenticate, settings. The monitor service (app/monitor/monitor-service.ts) does the work; a
 * command about an account the desk does not hold fails and names the accounts it holds.
 */
import type { MonitorAccountWire, MonitorCycleWire, MonitorSettingsPatch } from '../../../shared/monitor';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

export interface MonitorPort {
  accounts(): MonitorAccountWire[];
  cycles(account: string, opts: { limit?: number | undefined; before?: number | undefined }): MonitorCycleWire[];
  runNow(account: string): Promise<MonitorCycleWire>;
  pause(account: string, paused: boolean): MonitorAccountWire;
  reauthenticate(account: string): Promise<{ account: MonitorAccountWire; ok: boolean; error: string | null }>;
  configure(account: string, patch: MonitorSettingsPatch): MonitorAccountWire;
  /** The accounts the desk holds. */
  heldAccounts(): readonly string[];
}

type Names = 'monitor.get' | 'monitor.cycles' | 'monitor.run_now' | 'monitor.pause' | 'monitor.reauth' | 'monitor.configure';

export function monitorHandlers(port: MonitorPort): HandlersFor<Names> {
  const held = (name: string, account: string) => {
    const accounts = port.heldAccounts();
    if (!accounts.includes(account)) {
      throw new CommandFailure({ code: 'failed', message: `${name}: the desk holds no account "${account}" (it holds ${accounts.map((a) => `"${a}"`).join(', ')})` });
    }
  };
  const failing = async <T>(name: string, account: string, f: () => T | Promise<T>): Promise<T> => {
    held(name, account);
    try {
      return await f();
    } catch (err) {
      if (err instanceof CommandFailure) throw err;
      throw new CommandFailure({ code: 'failed', message: `${name} ${account}: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  return {
    'monitor.get': () => ({ accounts: port.accounts() }),
    'monitor.cycles': (p) => failing('monitor.cycles', p.account, () => ({ cycles: port.cycles(p.account, { limit: p.limit, before: p.before }) })),
    'monitor.run_now': (p) => failing('monitor.run_now', p.account, async () => ({ cycle: await port.runNow(p.account) })),
    'monitor.pause': (p) => failing('monitor.pause', p.account, () => ({ account: port.pause(p.account, p.paused) })),
    'monitor.reauth': (p) => failing('monitor.reauth', p.account, () => port.reauthenticate(p.account)),
    'monitor.configure': (p) => failing('monitor.configure', p.account, () => ({ account: port.configure(p.account, p.settings) })),
  };
}
