/**
 * The kill switch's changes as events and alerts: every change is a `killswitch_event` on the bus
 * (with the switch's whole view) and an alert (critical when halted, else a warning; a re-arm says so).
 */
import { ALL_ACCOUNTS, type KillSwitch, type KillSwitchChange, type KillSwitchLevel } from '../../core/risk/kill-switch';
import type { AlertMonitor } from '../../core/alerts/alert-monitor';
import type { AccountLedger } from '../../core/ports/ledger-store';
import type { Logger } from '../../core/ports/logger';
import type { DeskEventPort } from './event-bus';

/** Announces each change of `killSwitch` on `bus` and through the alert monitor (read when a change comes). */
export function announceKillSwitchChanges(killSwitch: KillSwitch, bus: Pick<DeskEventPort, 'publish'>, alerts: () => Pick<AlertMonitor, 'raise'>): () => void {
  return killSwitch.onChange((change: KillSwitchChange) => {
    bus.publish({
      type: 'killswitch_event',
      serverTime: change.at,
      killSwitch: killSwitch.view(),
      change: { account: change.account, from: change.from, to: change.to, reason: change.reason, rearm: change.rearm },
    });
    const scope = change.account === ALL_ACCOUNTS ? 'all accounts' : `account ${change.account}`;
    const what: Record<KillSwitchLevel, string> = { halted: 'halted', reducing: 'reducing only', active: 'active' };
    alerts().raise({
      severity: change.to === 'halted' ? 'critical' : 'warning',
      kind: 'kill_switch',
      subject: change.account,
      title: change.rearm ? `Automation re-armed: ${scope} ${what[change.to]}` : `Automation ${what[change.to]}: ${scope}`,
      body: change.reason,
    });
  });
}

/**
 * Keeps the ledger's `accounts.kill_switch` true: the level in force for each held account (its own
 * or the stricter global one) is written now and after every change. The switch's own store stays
 * the source of truth; a ledger that cannot write is logged, never in the way of the switch.
 */
export function mirrorKillSwitchToLedger(killSwitch: KillSwitch, ledger: Pick<AccountLedger, 'setKillSwitch'>, held: () => readonly string[], now: () => number, logger: Logger): () => void {
  const write = () => {
    for (const id of held()) {
      try {
        ledger.setKillSwitch(id, killSwitch.levelOf(id), now());
      } catch (err) {
        logger.warn('kill switch not recorded in the ledger', { account: id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  write();
  return killSwitch.onChange(write);
}
